from .graph import Graph


def load_graph(text):
    """Parses lines such as `app: lib utils` (target, colon, dependencies); `#` starts a comment."""
    graph = Graph()
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, deps = line.partition(":")
        graph.add_target(name.strip(), deps.split())
    return graph
