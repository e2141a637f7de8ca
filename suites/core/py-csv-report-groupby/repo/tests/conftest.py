import io

import pytest

from csvreport.cli import main

EXPENSES = """date,team,category,amount
2024-01-03,web,travel,120.50
2024-01-04,data,software,1,000.00
2024-01-09,web,software,49.99
2024-01-12,ops,travel,300
2024-01-15,data,travel,80.01
"""


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "expenses.csv"
    path.write_text(EXPENSES.replace("1,000.00", '"1,000.00"'), encoding="utf-8")
    return str(path)


@pytest.fixture
def run():
    def run(*argv):
        out = io.StringIO()
        status = main(list(argv), out)
        return status, out.getvalue()

    return run
