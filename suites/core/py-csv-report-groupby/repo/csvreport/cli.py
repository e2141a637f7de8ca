import argparse

from .pipeline import build_report
from .reader import CsvError, read_rows
from .render import render_text


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="csvreport")
    parser.add_argument("path")
    parser.add_argument("--sum", dest="sum_column", required=True)
    return parser.parse_args(argv)


def main(argv, out):
    """Runs the CLI writing to the text stream `out`; returns the exit status."""
    args = parse_args(argv)
    try:
        with open(args.path, encoding="utf-8") as handle:
            rows = read_rows(handle.read())
        report = build_report(rows, args.sum_column)
    except (OSError, CsvError) as error:
        out.write(f"error: {error}\n")
        return 1
    out.write(render_text(report))
    return 0
