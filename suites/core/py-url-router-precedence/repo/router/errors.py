class RouteError(Exception):
    status = 500


class NotFound(RouteError):
    status = 404


class MethodNotAllowed(RouteError):
    status = 405

    def __init__(self, allowed):
        super().__init__(f"allowed: {', '.join(sorted(allowed))}")
        self.allowed = sorted(allowed)
