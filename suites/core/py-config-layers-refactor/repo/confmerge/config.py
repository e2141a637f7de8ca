from .errors import ConfigError
from .loader import load_defaults, load_env, load_site

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Config:
    def __init__(self, defaults_text, site_text="", environ=None):
        merged = {}
        for layer in (load_defaults(defaults_text), load_site(site_text), load_env(environ or {})):
            for section, values in layer.items():
                target = merged.setdefault(section, {})
                for key, value in values.items():
                    target[key] = value
        self.sections = merged

    def get(self, section, key, default=None):
        return self.sections.get(section.lower(), {}).get(key.lower(), default)

    def get_int(self, section, key, default=None):
        value = self.get(section, key)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"[{section}] {key} is not an integer: {value!r}") from None

    def get_bool(self, section, key, default=None):
        value = self.get(section, key)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ConfigError(f"[{section}] {key} is not a boolean: {value!r}")
