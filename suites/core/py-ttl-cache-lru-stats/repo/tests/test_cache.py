import pytest

from ttlcache import FakeClock, TTLCache, cached


@pytest.fixture
def clock():
    return FakeClock(100.0)


def test_value_expires_after_ttl(clock):
    cache = TTLCache(ttl=10, clock=clock)
    cache.set("a", 1)
    clock.advance(9.5)
    assert cache.get("a") == 1
    clock.advance(0.5)
    assert cache.get("a") is None
    assert "a" not in cache


def test_per_entry_ttl_and_delete(clock):
    cache = TTLCache(ttl=10, clock=clock)
    cache.set("short", 1, ttl=1)
    cache.set("long", 2)
    clock.advance(2)
    assert cache.get("short", "gone") == "gone"
    assert cache.delete("long") is True
    assert cache.delete("long") is False


def test_len_ignores_expired(clock):
    cache = TTLCache(ttl=5, clock=clock)
    cache.set("a", 1)
    clock.advance(3)
    cache.set("b", 2)
    clock.advance(3)
    assert len(cache) == 1


def test_invalid_ttl():
    with pytest.raises(ValueError):
        TTLCache(ttl=0)


def test_cached_decorator(clock):
    cache = TTLCache(ttl=10, clock=clock)
    calls = []

    @cached(cache)
    def square(x):
        calls.append(x)
        return x * x

    assert [square(3), square(3), square(4)] == [9, 9, 16]
    clock.advance(10)
    assert square(3) == 9
    assert calls == [3, 4, 3]
