import io
import json

import pytest

from todo.cli import main


@pytest.fixture
def todo(tmp_path):
    path = tmp_path / "todos.json"

    def run(*argv):
        out = io.StringIO()
        status = main(["--file", str(path), *argv], out)
        return status, out.getvalue()

    run.path = path
    return run


def test_add_and_list(todo):
    assert todo("add", "Write report") == (0, "added 1\n")
    assert todo("add", "Call Bob") == (0, "added 2\n")
    status, text = todo("list")
    assert text == "[ ]   1  Write report\n[ ]   2  Call Bob\n"


def test_done_hides_task_unless_all(todo):
    todo("add", "A")
    todo("add", "B")
    assert todo("done", "1") == (0, "completed 1\n")
    assert todo("list")[1] == "[ ]   2  B\n"
    assert todo("list", "--all")[1] == "[x]   1  A\n[ ]   2  B\n"


def test_file_format(todo):
    todo("add", "A")
    todo("done", "1")
    assert json.loads(todo.path.read_text()) == [{"id": 1, "title": "A", "done": True}]


def test_remove_and_errors(todo):
    todo("add", "A")
    assert todo("remove", "1") == (0, "removed 1\n")
    assert todo("remove", "1") == (1, "error: no task 1\n")
    assert todo("done", "7") == (1, "error: no task 7\n")
    assert todo("list") == (0, "nothing to do\n")


def test_ids_keep_growing_after_remove(todo):
    todo("add", "A")
    todo("add", "B")
    todo("remove", "1")
    assert todo("add", "C") == (0, "added 3\n")
