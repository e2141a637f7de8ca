import pytest

from textkit import collapse_whitespace, slugify, truncate_words, unique_slug


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hello, World!", "hello-world"),
        ("  spaces   everywhere ", "spaces-everywhere"),
        ("Python 3.11 release notes", "python-3-11-release-notes"),
        ("Straße", "strasse"),
    ],
)
def test_slugify_ascii(text, expected):
    assert slugify(text) == expected


def test_custom_separator():
    assert slugify("Hello big World", separator="_") == "hello_big_world"


def test_unique_slug_appends_counter():
    assert unique_slug("Hello", {"hello", "hello-2"}) == "hello-3"
    assert unique_slug("!!!", set()) == "item"


def test_truncate_words():
    assert truncate_words("The quick brown fox", 12) == "The quick…"
    assert truncate_words("short", 10) == "short"


def test_collapse_whitespace():
    assert collapse_whitespace(" a \n\t b ") == "a b"
