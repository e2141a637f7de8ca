from decimal import Decimal

from csvreport import build_report, read_rows


def test_plain_report(csv_file, run):
    status, text = run(csv_file, "--sum", "amount")
    assert status == 0
    lines = text.splitlines()
    assert lines[1].split() == ["line", "2", "120.50"]
    assert lines[-1].split() == ["TOTAL", "1550.50"]


def test_missing_column_is_an_error(csv_file, run):
    status, text = run(csv_file, "--sum", "price")
    assert status == 1 and "price" in text


def test_missing_file(tmp_path, run):
    status, text = run(str(tmp_path / "nope.csv"), "--sum", "amount")
    assert status == 1 and text.startswith("error:")


def test_build_report_api():
    rows = read_rows("name,amount\na,1.5\nb,2\n")
    report = build_report(rows, "amount")
    assert report.total == Decimal("3.5")
    assert [row.label for row in report.rows] == ["line 2", "line 3"]
