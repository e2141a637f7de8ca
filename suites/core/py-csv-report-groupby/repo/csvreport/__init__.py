from .model import Report, ReportRow
from .pipeline import build_report
from .reader import read_rows

__all__ = ["Report", "ReportRow", "build_report", "read_rows"]
