from .cache import TTLCache
from .clock import Clock, FakeClock, SystemClock
from .decorators import cached

__all__ = ["Clock", "FakeClock", "SystemClock", "TTLCache", "cached"]
