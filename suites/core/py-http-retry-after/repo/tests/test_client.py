import pytest

from httpretry import FakeTransport, Response, RetriesExhausted, RetryPolicy, RetryingClient, TransportError


def make(outcomes, **policy):
    sleeps = []
    transport = FakeTransport(outcomes)
    client = RetryingClient(transport, RetryPolicy(**policy), sleep=sleeps.append)
    return client, transport, sleeps


def test_success_first_try():
    client, transport, sleeps = make([Response(200, body=b"ok")])
    assert client.get("http://x/").body == b"ok"
    assert sleeps == [] and len(transport.sent) == 1


def test_retries_server_errors_with_exponential_backoff():
    client, transport, sleeps = make([Response(503), TransportError("reset"), Response(200)], max_attempts=4)
    assert client.get("http://x/").status == 200
    assert sleeps == [0.5, 1.0]


def test_gives_up():
    client, transport, sleeps = make([Response(500)] * 3)
    with pytest.raises(RetriesExhausted) as info:
        client.get("http://x/")
    assert info.value.attempts == 3 and sleeps == [0.5, 1.0]


def test_client_errors_are_returned():
    client, _, sleeps = make([Response(404)])
    assert client.get("http://x/").status == 404 and sleeps == []


def test_header_lookup_is_case_insensitive():
    assert Response(200, {"Content-Type": "text/plain"}).header("content-type") == "text/plain"
