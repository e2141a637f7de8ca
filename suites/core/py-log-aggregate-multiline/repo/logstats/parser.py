import re
from datetime import datetime, timezone

from .entry import Entry

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_LINE = re.compile(
    r"^(?P<ts>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\s+"
    r"(?P<level>[A-Z]+)\s+\[(?P<service>[\w.-]+)\]\s?(?P<message>.*)$"
)


def parse_line(line, line_number=0):
    """An Entry for a log line, or None when the line is not a log record."""
    match = _LINE.match(line)
    if not match or match.group("level") not in LEVELS:
        return None
    timestamp = datetime.strptime(match.group("ts").replace("Z", ""), "%Y-%m-%dT%H:%M:%S" + (".%f" if "." in match.group("ts") else ""))
    return Entry(
        timestamp=timestamp.replace(tzinfo=timezone.utc),
        level=match.group("level"),
        service=match.group("service"),
        message=match.group("message"),
        line_number=line_number,
    )
