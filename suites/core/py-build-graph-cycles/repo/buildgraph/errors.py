class BuildGraphError(Exception):
    pass


class UnknownTarget(BuildGraphError):
    def __init__(self, target, needed_by):
        super().__init__(f"{needed_by!r} depends on unknown target {target!r}")
        self.target = target
        self.needed_by = needed_by


class CycleError(BuildGraphError):
    """Raised when targets depend on each other in a loop."""
