from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    body: bytes = b""


@dataclass
class Response:
    status: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""

    def header(self, name):
        """Case-insensitive header lookup."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None
