class TransportError(Exception):
    """The request never got a response (connection refused, timeout...)."""


class RetriesExhausted(Exception):
    def __init__(self, attempts, last):
        super().__init__(f"gave up after {attempts} attempts: {last}")
        self.attempts = attempts
        self.last = last
