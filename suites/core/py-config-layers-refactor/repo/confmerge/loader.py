from .errors import ConfigSyntaxError


def load_defaults(text):
    """Parses the built-in defaults (INI text) into {section: {key: value}}."""
    result = {}
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line[1:-1].strip().lower()
            result.setdefault(section, {})
            continue
        key, _, value = line.partition("=")
        result[section][key.strip().lower()] = value.strip()
    return result


def load_site(text, source="site.ini"):
    """Parses the site file (INI text) into {section: {key: value}}."""
    result = {}
    section = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            result.setdefault(section, {})
            continue
        if section is None:
            raise ConfigSyntaxError(source, number, "key outside of a section")
        if "=" not in line:
            raise ConfigSyntaxError(source, number, "expected key = value")
        key, _, value = line.partition("=")
        value = value.split(" #", 1)[0]
        result[section][key.strip().lower()] = value.strip()
    return result


def load_env(environ, prefix="APP__"):
    """Picks PREFIX + SECTION__KEY variables into {section: {key: value}}."""
    result = {}
    for name, value in environ.items():
        if not name.startswith(prefix):
            continue
        parts = name[len(prefix):].lower().split("__")
        if len(parts) != 2 or not all(parts):
            continue
        result.setdefault(parts[0], {})[parts[1]] = value
    return result
