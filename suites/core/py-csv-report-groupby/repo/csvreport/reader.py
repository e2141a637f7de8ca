import csv
import io
from decimal import Decimal, InvalidOperation


class CsvError(ValueError):
    pass


def parse_amount(text, line):
    try:
        return Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise CsvError(f"line {line}: not a number: {text!r}") from None


def read_rows(text):
    """Rows of a CSV text (header line first) as dicts of stripped strings."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise CsvError("empty file")
    rows = []
    for row in reader:
        rows.append({key.strip(): (value or "").strip() for key, value in row.items() if key is not None})
    return rows
