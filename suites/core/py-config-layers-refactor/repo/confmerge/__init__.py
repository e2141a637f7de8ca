from .config import Config
from .errors import ConfigError, ConfigSyntaxError
from .loader import load_defaults, load_env, load_site

__all__ = ["Config", "ConfigError", "ConfigSyntaxError", "load_defaults", "load_env", "load_site"]
