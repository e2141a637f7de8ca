from .model import Report, ReportRow
from .reader import CsvError, parse_amount


def build_report(rows, sum_column):
    """One report row per CSV row, labelled with its line number, plus the grand total."""
    report = Report(sum_column)
    for line, row in enumerate(rows, start=2):
        if sum_column not in row:
            raise CsvError(f"no column {sum_column!r}")
        report.rows.append(ReportRow(f"line {line}", parse_amount(row[sum_column], line)))
    return report
