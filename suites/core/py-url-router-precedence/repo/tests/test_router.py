import pytest

from router import App, MethodNotAllowed, NotFound, RoutePattern, Router


def test_pattern_converts_int_params():
    pattern = RoutePattern("/users/{id:int}/posts/{slug}")
    assert pattern.match("/users/42/posts/hello") == {"id": 42, "slug": "hello"}
    assert pattern.match("/users/x/posts/hello") is None


def test_path_converter_spans_slashes():
    assert RoutePattern("/static/{rest:path}").match("/static/css/site.css") == {"rest": "css/site.css"}


@pytest.mark.parametrize("bad", ["users", "/a/{x:float}", "/a/{x}/{x}"])
def test_invalid_patterns(bad):
    with pytest.raises(ValueError):
        RoutePattern(bad)


def test_method_not_allowed_lists_methods():
    router = Router()
    router.add("GET", "/items", lambda r: "list")
    router.add("POST", "/items", lambda r: "create")
    with pytest.raises(MethodNotAllowed) as info:
        router.match("DELETE", "/items")
    assert info.value.allowed == ["GET", "POST"]
    with pytest.raises(NotFound):
        router.match("GET", "/nothing")


def test_app_dispatch_with_query():
    app = App()

    @app.route("GET", "/search/{kind}")
    def search(request):
        return f"{request.params['kind']}:{request.query.get('q')}"

    assert app.handle("get", "/search/books?q=dune") == (200, "books:dune")
    assert app.handle("GET", "/missing")[0] == 404
