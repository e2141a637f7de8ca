from .aggregate import count_by_level, errors_per_minute, top_services
from .entry import Entry
from .parser import parse_line
from .reader import read_entries

__all__ = ["Entry", "count_by_level", "errors_per_minute", "parse_line", "read_entries", "top_services"]
