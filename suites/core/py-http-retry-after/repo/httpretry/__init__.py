from .client import RetryingClient
from .errors import RetriesExhausted, TransportError
from .messages import Request, Response
from .policy import RetryPolicy
from .transport import FakeTransport

__all__ = ["FakeTransport", "Request", "Response", "RetriesExhausted", "RetryPolicy", "RetryingClient", "TransportError"]
