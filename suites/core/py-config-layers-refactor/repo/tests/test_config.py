import pytest

from confmerge import Config, ConfigError, ConfigSyntaxError, load_site

DEFAULTS = """
# built-in defaults
[server]
host = 127.0.0.1
port = 8080
debug = off

[db]
url = sqlite:///app.db
"""


def test_layers_override_in_order():
    config = Config(DEFAULTS, "[server]\nport = 9000\n", {"APP__SERVER__HOST": "0.0.0.0", "OTHER": "x"})
    assert config.get("server", "host") == "0.0.0.0"
    assert config.get_int("server", "port") == 9000
    assert config.get("db", "url") == "sqlite:///app.db"


def test_typed_getters():
    config = Config(DEFAULTS, "[server]\ndebug = Yes\n")
    assert config.get_bool("server", "debug") is True
    assert config.get_int("server", "missing", 5) == 5
    with pytest.raises(ConfigError):
        Config(DEFAULTS, "[server]\nport = lots\n").get_int("server", "port")


def test_site_syntax_errors_have_line_numbers():
    with pytest.raises(ConfigSyntaxError) as info:
        load_site("[a]\nok = 1\nbroken line\n", source="site.ini")
    assert info.value.line == 3 and str(info.value).startswith("site.ini:3:")


def test_keys_and_sections_case_insensitive():
    config = Config("[Server]\nHost = a\n", "[SERVER]\nhost = b\n")
    assert config.get("server", "HOST") == "b"
