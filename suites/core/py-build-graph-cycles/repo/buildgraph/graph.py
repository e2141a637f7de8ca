from .errors import BuildGraphError, UnknownTarget


class Graph:
    def __init__(self):
        self._deps = {}

    def add_target(self, name, deps=()):
        if name in self._deps:
            raise BuildGraphError(f"target {name!r} defined twice")
        self._deps[name] = list(dict.fromkeys(deps))

    @property
    def targets(self):
        return list(self._deps)

    def deps(self, name):
        return list(self._deps[name])

    def validate(self):
        for name, deps in self._deps.items():
            for dep in deps:
                if dep not in self._deps:
                    raise UnknownTarget(dep, name)
