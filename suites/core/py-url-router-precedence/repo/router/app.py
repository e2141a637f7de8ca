from .errors import RouteError
from .request import Request
from .router import Router


class App:
    def __init__(self):
        self.router = Router()

    def route(self, method, pattern):
        return self.router.route(method, pattern)

    def handle(self, method, target):
        """Dispatches a request; returns (status, body)."""
        request = Request(method, target)
        try:
            handler, params = self.router.match(request.method, request.path)
        except RouteError as error:
            return error.status, str(error)
        request.params = params
        return 200, handler(request)
