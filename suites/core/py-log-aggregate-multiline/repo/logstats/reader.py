from .parser import parse_line


class ReadResult:
    def __init__(self):
        self.entries = []
        self.malformed = []


def read_entries(lines):
    """Parses an iterable of lines; lines that are not records are collected in `malformed`."""
    result = ReadResult()
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        entry = parse_line(line, number)
        if entry is None:
            result.malformed.append((number, line))
        else:
            result.entries.append(entry)
    return result
