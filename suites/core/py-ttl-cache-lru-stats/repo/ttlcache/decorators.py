import functools
from typing import Any, Callable

from .cache import TTLCache

_MISSING = object()


def cached(cache: TTLCache) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Memoizes a function of hashable positional arguments in `cache`."""

    def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any) -> Any:
            key = (function.__qualname__, args)
            value = cache.get(key, _MISSING)
            if value is _MISSING:
                value = function(*args)
                cache.set(key, value)
            return value

        return wrapper

    return decorator
