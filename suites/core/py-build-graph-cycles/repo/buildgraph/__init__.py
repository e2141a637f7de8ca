from .errors import BuildGraphError, CycleError, UnknownTarget
from .graph import Graph
from .loader import load_graph
from .toposort import build_order

__all__ = ["BuildGraphError", "CycleError", "Graph", "UnknownTarget", "build_order", "load_graph"]
