from dataclasses import dataclass
from datetime import datetime


@dataclass
class Entry:
    timestamp: datetime
    level: str
    service: str
    message: str
    line_number: int
