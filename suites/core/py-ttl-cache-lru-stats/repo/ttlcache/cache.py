from typing import Any, Hashable, Optional

from .clock import Clock, SystemClock

_MISSING = object()


class TTLCache:
    """Maps keys to values that expire `ttl` seconds after they were set."""

    def __init__(self, ttl: float, clock: Optional[Clock] = None) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self.ttl = ttl
        self.clock = clock or SystemClock()
        self._entries: dict = {}

    def _expired(self, expires_at: float) -> bool:
        return self.clock.now() >= expires_at

    def set(self, key: Hashable, value: Any, ttl: Optional[float] = None) -> None:
        self._entries[key] = (value, self.clock.now() + (ttl if ttl is not None else self.ttl))

    def get(self, key: Hashable, default: Any = None) -> Any:
        entry = self._entries.get(key, _MISSING)
        if entry is _MISSING:
            return default
        value, expires_at = entry
        if self._expired(expires_at):
            del self._entries[key]
            return default
        return value

    def delete(self, key: Hashable) -> bool:
        return self._entries.pop(key, _MISSING) is not _MISSING

    def purge(self) -> int:
        """Removes expired entries; returns how many."""
        expired = [key for key, (_, expires_at) in self._entries.items() if self._expired(expires_at)]
        for key in expired:
            del self._entries[key]
        return len(expired)

    def __contains__(self, key: Hashable) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def __len__(self) -> int:
        self.purge()
        return len(self._entries)
