from .errors import MethodNotAllowed, NotFound
from .pattern import RoutePattern


class Route:
    def __init__(self, method, pattern, handler):
        self.method = method.upper()
        self.pattern = RoutePattern(pattern)
        self.handler = handler


class Router:
    def __init__(self):
        self.routes = []

    def add(self, method, pattern, handler):
        route = Route(method, pattern, handler)
        self.routes.append(route)
        return route

    def route(self, method, pattern):
        def decorator(handler):
            self.add(method, pattern, handler)
            return handler

        return decorator

    def match(self, method, path):
        """Returns (handler, params) for the route that handles `method` on `path`."""
        allowed = set()
        for route in self.routes:
            params = route.pattern.match(path)
            if params is None:
                continue
            if route.method != method.upper():
                allowed.add(route.method)
                continue
            return route.handler, params
        if allowed:
            raise MethodNotAllowed(allowed)
        raise NotFound(path)
