"""Loopback HTTP(S) servers for outbound-request tests: they record every TCP connection and request.

    with RecordingServer("127.0.0.2") as server:
        server.url("/x")                 # http://127.0.0.2:<port>/x
        server.connections, server.requests, server.sni_names

``/redirect?to=<url>`` answers 302 to ``<url>``, ``/loop`` 302 to itself; any other request answers 200 with JSON
``{"method", "path", "headers", "body"}``. ``ssl_context`` serves HTTPS (the TLS handshake happens after
the connection is counted, so a refused handshake still shows as a connection).
"""
from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

from core import netguard

MAX_PORT_TRIES = 20
PUBLIC = "127.0.0.2"  # plays a public host: trusted_guard() may reach it, nothing else on loopback

# Ways to write "this machine" that a naive guard lets through; {port} is the port to probe.
BYPASS_URLS = [
    "http://127.0.0.1:{port}/", "http://localhost:{port}/", "http://[::1]:{port}/", "http://0.0.0.0:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/", "http://[2002:7f00:1::]:{port}/", "http://[64:ff9b::7f00:1]:{port}/",
    "http://2130706433:{port}/", "http://0x7f.1:{port}/", "http://017700000001:{port}/", "http://127.1:{port}/",
    "http://evil.com\\@127.0.0.1:{port}/", "http://[::]:{port}/", "http://127.0.0.1.:{port}/",
]


def trusted_guard(resolver: netguard.Resolver | None = None) -> netguard.Guard:
    """The default policy (nothing internal allowed), except that PUBLIC counts as public."""
    return netguard.Guard(netguard.Policy(trusted=(ipaddress.ip_network(f"{PUBLIC}/32"),)), resolver)


class RecordingServer:
    """A threaded HTTP server on ``host``:``port`` (0 = any free port); see the module docstring."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None):
        self.host = host
        self.connections = 0
        self.requests: list[dict] = []
        self.sni_names: list[str | None] = []
        if ssl_context is not None:
            ssl_context.sni_callback = lambda _sock, name, _ctx: self.sni_names.append(name)
        self._httpd = _Server(self, (host, port), _Handler, ssl_context)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str = "/", host: str | None = None, scheme: str = "http") -> str:
        """A URL of this server; ``host`` replaces the address (a name the test's resolver maps here)."""
        shown = host or (f"[{self.host}]" if ":" in self.host else self.host)
        return f"{scheme}://{shown}:{self.port}{path}"

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=2)


def servers_on_one_port(first_host: str, second_host: str) -> tuple[RecordingServer, RecordingServer]:
    """Two RecordingServers sharing a port on two addresses (so only the address tells them apart)."""
    for _ in range(MAX_PORT_TRIES):
        first = RecordingServer(first_host)
        try:
            return first, RecordingServer(second_host, first.port)
        except OSError:
            first._httpd.server_close()
    raise RuntimeError("no port free on both addresses")


class ScriptedResolver:
    """A resolver answering ``answers[i]`` on its i-th call (the last answer repeats); records the calls."""

    def __init__(self, *answers: list[str]):
        self.answers = answers
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        return list(self.answers[min(len(self.calls), len(self.answers)) - 1])


@contextmanager
def loopback_only() -> Iterator[None]:
    """Within the block, a socket connecting anywhere but loopback fails the test instead of leaving the host.

    A tripwire for guard tests: were the guard broken, a refused form like ``[2002:7f00:1::]`` would
    otherwise be dialled through the machine's real routes.
    """
    original = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = ipaddress.ip_address(address[0].split("%", 1)[0])
            assert host.is_loopback, f"test tried to connect to {host}, outside this machine"
        return original(sock, address)

    socket.socket.connect = connect
    try:
        yield
    finally:
        socket.socket.connect = original


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: RecordingServer, address: tuple, handler: type, ssl_context: ssl.SSLContext | None):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.owner, self.ssl_context = owner, ssl_context
        super().__init__(address, handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = self.socket.accept()
        self.owner.connections += 1
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True)  # OSError: dropped by socketserver
        return sock, address


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        record = {"method": self.command, "path": self.path, "headers": dict(self.headers),
                  "header_lines": self.headers.items(), "body": self.rfile.read(length).decode("latin-1")}
        self.server.owner.requests.append(record)
        parts = urlsplit(self.path)
        if parts.path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
            return
        if parts.path == "/redirect":
            self._send(302, b"", {"Location": parse_qs(parts.query)["to"][0]})
            return
        self._send(200, json.dumps(record).encode(), {"Content-Type": "application/json"})

    def _send(self, status: int, body: bytes, headers: dict) -> None:
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer
