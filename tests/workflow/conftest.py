"""Fixtures of the workflow engine tests: a loopback OpenAI-wire upstream."""
import pytest

from tests.support.fake_openai import FakeOpenAI


@pytest.fixture
def fake_llm():
    """A FakeOpenAI upstream (echo by default); tests script replies or set ``default``."""
    with FakeOpenAI() as upstream:
        yield upstream


@pytest.fixture
def http_server():
    """A loopback HTTP server answering JSON about each request; yields (base_url, received list)."""
    import json
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            record = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
            received.append(record)
            if self.path.startswith("/slow"):
                time.sleep(1.0)
            if self.path.startswith("/redirect"):
                self.send_response(302)
                self.send_header("Location", self.path.split("to=", 1)[-1])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            payload = json.dumps(record).encode()
            self.send_response(404 if self.path.startswith("/missing") else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()
    thread.join(timeout=2)
