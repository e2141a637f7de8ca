import re

CONVERTERS = {
    "str": (r"[^/]+", str),
    "int": (r"-?\d+", int),
    "path": (r".+", str),
}
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


class RoutePattern:
    """A compiled route pattern such as `/users/{id:int}/files/{rest:path}`."""

    def __init__(self, pattern):
        if not pattern.startswith("/"):
            raise ValueError(f"pattern must start with '/': {pattern!r}")
        self.pattern = pattern
        self.converters = {}
        regex = ""
        position = 0
        for match in _PARAM.finditer(pattern):
            name, kind = match.group(1), match.group(2) or "str"
            if kind not in CONVERTERS:
                raise ValueError(f"unknown converter {kind!r} in {pattern!r}")
            if name in self.converters:
                raise ValueError(f"duplicate parameter {name!r} in {pattern!r}")
            regex += re.escape(pattern[position:match.start()])
            regex += f"(?P<{name}>{CONVERTERS[kind][0]})"
            self.converters[name] = CONVERTERS[kind][1]
            position = match.end()
        regex += re.escape(pattern[position:])
        self.regex = re.compile(f"^{regex}$")

    @property
    def segments(self):
        return [segment for segment in self.pattern.strip("/").split("/") if segment]

    def match(self, path):
        """The converted parameters when `path` matches, else None."""
        found = self.regex.match(path)
        if not found:
            return None
        return {name: self.converters[name](value) for name, value in found.groupdict().items()}
