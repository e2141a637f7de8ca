from .app import App
from .errors import MethodNotAllowed, NotFound, RouteError
from .pattern import RoutePattern
from .request import Request
from .router import Router

__all__ = ["App", "MethodNotAllowed", "NotFound", "Request", "RouteError", "RoutePattern", "Router"]
