class ConfigError(Exception):
    pass


class ConfigSyntaxError(ConfigError):
    def __init__(self, source, line, message):
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
