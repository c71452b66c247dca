"""Fixtures of the communication tests: a local HTTP receiver (127.0.0.1 only) for webhooks."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """Answers POSTs with the statuses queued in `replies` (default 204), recording each."""

    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list[tuple[int, dict]] = []
        self.delay = 0.0

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def receiver(settings):
    settings.COMMUNICATION_WEBHOOKS_ALLOW_LOOPBACK = True
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.requests.append(
                {"path": self.path, "headers": dict(self.headers.items()), "body": body}
            )
            if state.delay:
                time.sleep(state.delay)
            status, headers = state.replies.pop(0) if state.replies else (204, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """`with commits(): ...` runs what the services schedule on commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
