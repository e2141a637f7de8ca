from collections import deque


def build_order(graph):
    """Targets ordered so that each comes after all of its dependencies."""
    graph.validate()
    remaining = {name: len(graph.deps(name)) for name in graph.targets}
    dependents = {name: [] for name in graph.targets}
    for name in graph.targets:
        for dep in graph.deps(name):
            dependents[dep].append(name)
    ready = deque(name for name, count in remaining.items() if count == 0)
    order = []
    while ready:
        name = ready.popleft()
        order.append(name)
        for dependent in dependents[name]:
            remaining[dependent] -= 1
            if remaining[dependent] == 0:
                ready.append(dependent)
    return order
