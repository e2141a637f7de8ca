from .errors import TransportError


class FakeTransport:
    """Replays scripted outcomes: Response objects, or exceptions to raise."""

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.sent = []

    def send(self, request):
        self.sent.append(request)
        if not self.outcomes:
            raise TransportError("no more scripted responses")
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome
