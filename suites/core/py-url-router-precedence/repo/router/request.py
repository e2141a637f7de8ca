from urllib.parse import parse_qs


class Request:
    def __init__(self, method, target):
        self.method = method.upper()
        path, _, query = target.partition("?")
        self.path = path or "/"
        self.query = {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
        self.params = {}
