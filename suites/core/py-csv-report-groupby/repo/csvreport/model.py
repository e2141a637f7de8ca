from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class ReportRow:
    label: str
    total: Decimal


@dataclass
class Report:
    sum_column: str
    rows: list = field(default_factory=list)

    @property
    def total(self):
        return sum((row.total for row in self.rows), Decimal(0))
