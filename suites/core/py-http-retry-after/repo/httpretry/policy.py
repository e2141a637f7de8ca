from dataclasses import dataclass

RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff: float = 0.5
    multiplier: float = 2.0

    def should_retry_status(self, status):
        return status in RETRY_STATUSES

    def delay(self, attempt):
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return self.backoff * self.multiplier ** (attempt - 1)
