import pytest

from buildgraph import BuildGraphError, Graph, UnknownTarget, build_order, load_graph

SPEC = """
# a small project
app: lib utils
lib: utils
utils:
docs:
"""


def assert_valid(order, graph):
    position = {name: index for index, name in enumerate(order)}
    for name in graph.targets:
        for dep in graph.deps(name):
            assert position[dep] < position[name]


def test_dependencies_come_first():
    graph = load_graph(SPEC)
    order = build_order(graph)
    assert sorted(order) == ["app", "docs", "lib", "utils"]
    assert_valid(order, graph)


def test_unknown_dependency():
    graph = load_graph("app: missing")
    with pytest.raises(UnknownTarget) as info:
        build_order(graph)
    assert (info.value.target, info.value.needed_by) == ("missing", "app")


def test_duplicate_target():
    with pytest.raises(BuildGraphError):
        load_graph("a:\na: b")


def test_duplicate_deps_are_ignored():
    graph = Graph()
    graph.add_target("b")
    graph.add_target("a", ["b", "b"])
    assert build_order(graph) == ["b", "a"]
