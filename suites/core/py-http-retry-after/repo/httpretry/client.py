import time

from .errors import RetriesExhausted, TransportError
from .messages import Request
from .policy import RetryPolicy


class RetryingClient:
    def __init__(self, transport, policy=None, sleep=time.sleep):
        self.transport = transport
        self.policy = policy or RetryPolicy()
        self.sleep = sleep

    def request(self, method, url, body=b""):
        request = Request(method.upper(), url, body)
        last = None
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                response = self.transport.send(request)
            except TransportError as error:
                last = error
            else:
                if not self.policy.should_retry_status(response.status):
                    return response
                last = f"HTTP {response.status}"
            if attempt < self.policy.max_attempts:
                self.sleep(self.policy.delay(attempt))
        raise RetriesExhausted(self.policy.max_attempts, last)

    def get(self, url):
        return self.request("GET", url)

    def post(self, url, body=b""):
        return self.request("POST", url, body)
