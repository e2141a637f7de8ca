from datetime import datetime, timezone

from logstats import count_by_level, errors_per_minute, parse_line, read_entries, top_services

LOG = """\
2024-03-01T12:00:05Z INFO [api] started
2024-03-01T12:00:06Z ERROR [billing] card declined
2024-03-01T12:00:40Z WARNING [api] slow request
this is garbage
2024-03-01T12:01:02.250Z ERROR [billing] card declined again
2024-03-01T12:01:09Z CRITICAL [db] connection lost
"""


def test_parse_line_fields():
    entry = parse_line("2024-03-01T12:00:05Z INFO [api] started", 7)
    assert entry.timestamp == datetime(2024, 3, 1, 12, 0, 5, tzinfo=timezone.utc)
    assert (entry.level, entry.service, entry.message, entry.line_number) == ("INFO", "api", "started", 7)


def test_parse_line_rejects_unknown_level():
    assert parse_line("2024-03-01T12:00:05Z TRACE [api] x") is None


def test_read_entries_collects_malformed():
    result = read_entries(LOG.splitlines())
    assert len(result.entries) == 5
    assert result.malformed == [(4, "this is garbage")]


def test_counts_and_top_services():
    entries = read_entries(LOG.splitlines()).entries
    assert count_by_level(entries) == {"INFO": 1, "ERROR": 2, "WARNING": 1, "CRITICAL": 1}
    assert top_services(entries) == [("billing", 2), ("api", 1), ("db", 1)]


def test_errors_per_minute_single_hour():
    entries = read_entries(LOG.splitlines()).entries
    minute = lambda m: datetime(2024, 3, 1, 12, m, tzinfo=timezone.utc)
    assert errors_per_minute(entries) == {minute(0): 1, minute(1): 2}
