"""A hand-rolled loopback MCP server for what the SDK cannot be made to do on purpose.

    with FakeMcpServer(pages=3) as server:        # server.url ends in /mcp; server.sse_url in /prefix/sse
        ...
        server.requests                            # every request seen: Seen(verb, path, headers, message)

Streamable HTTP on ``/mcp`` answers JSON, except ``tools/call`` of ``resumable`` (an SSE stream cut after
a progress event with id "1"; ``GET`` with ``Last-Event-ID: 1`` delivers the result with id "2").
``hang`` never answers (until the server stops). ``post_status`` refuses every POST on ``/mcp`` with
that status (for the auto fallback). The legacy transport is served on ``/prefix/sse`` (its endpoint
event sends ``endpoint``, by default a *relative* URL) and ``/prefix/messages``.
:meth:`expire` makes the session id unknown (404). A tools/call of ``missing`` gets JSON-RPC error -32602.
"""
from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG_LIMIT = 10.0


@dataclass
class Seen:
    verb: str
    path: str
    headers: dict
    message: Any


class FakeMcpServer:
    """Threaded HTTP server with scripted MCP behaviour; see the module docstring."""

    def __init__(self, *, version: str = "2025-11-25", pages: int = 1, post_status: int | None = None,
                 stateless: bool = False, delete_status: int = 200, endpoint: str = "messages?sid=abc",
                 host: str = "127.0.0.1", port: int = 0):
        self.version, self.pages, self.post_status = version, pages, post_status
        self.stateless, self.delete_status, self.endpoint = stateless, delete_status, endpoint
        self.requests: list[Seen] = []
        self.sessions_started = 0
        self.session_id: str | None = None
        self.stopping = threading.Event()
        self.outbox: queue.Queue = queue.Queue()  # legacy SSE messages waiting for the stream
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/mcp"

    @property
    def sse_url(self) -> str:
        return f"{self.base}/prefix/sse"

    def __enter__(self) -> FakeMcpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def expire(self) -> None:
        """Forget the current session: its next request gets 404."""
        self.session_id = None

    def seen(self, method: str) -> list[Seen]:
        """The JSON-RPC messages received with ``method``."""
        return [item for item in self.requests if isinstance(item.message, dict)
                and item.message.get("method") == method]

    def answer(self, message: dict) -> dict | None:
        """The JSON-RPC response to ``message`` (None for notifications and responses)."""
        if "id" not in message or "method" not in message:
            return None
        method, params = message["method"], message.get("params") or {}
        if method == "initialize":
            result = {"protocolVersion": self.version, "capabilities": {"tools": {}},
                      "serverInfo": {"name": "fake", "version": "0"}}
        elif method == "tools/list":
            result = self._tools_page(params.get("cursor"))
        elif method == "tools/call" and params.get("name") == "missing":
            error = {"code": -32602, "message": "Unknown tool: missing", "data": {"name": "missing"}}
            return {"jsonrpc": "2.0", "id": message["id"], "error": error}
        elif method == "tools/call":
            result = {"content": [{"type": "text", "text": f"called {params.get('name')}"}], "isError": False}
        elif method == "ping":
            result = {}
        else:
            return {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "Method not found"}}
        return {"jsonrpc": "2.0", "id": message["id"], "result": result}

    def _tools_page(self, cursor: str | None) -> dict:
        page = int(cursor) if cursor else 0
        tools = [{"name": f"tool_{page}_{n}", "inputSchema": {"type": "object"}} for n in range(2)]
        result: dict = {"tools": tools}
        if page + 1 < self.pages:
            result["nextCursor"] = str(page + 1)
        return result

    def new_session(self) -> str:
        self.sessions_started += 1
        self.session_id = None if self.stateless else f"session-{self.sessions_started}"
        return self.session_id


def _handler_for(server: FakeMcpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        fake = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeMcpServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _record(self, message: Any = None) -> None:
        headers = {key.lower(): value for key, value in self.headers.items()}
        self.fake.requests.append(Seen(self.command, self.path, headers, message))

    def _read_message(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else None

    def _send(self, status: int, body: Any = None, headers: dict | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _event(self, data: Any = None, event_id: str | None = None, event: str | None = None) -> None:
        text = (f"id: {event_id}\n" if event_id else "") + (f"event: {event}\n" if event else "")
        text += f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"
        payload = text.encode()
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()

    def _cut(self) -> None:
        """Break the chunked stream mid-chunk, as a dropped connection would."""
        self.wfile.write(b"ff\r\npartial")
        self.wfile.flush()
        self.close_connection = True

    def _hold(self) -> None:
        self.fake.stopping.wait(HANG_LIMIT)
        self.close_connection = True

    def do_POST(self) -> None:
        message = self._read_message()
        self._record(message)
        if self.path.startswith("/prefix/messages"):
            return self._legacy_post(message)
        if self.fake.post_status:
            return self._send(self.fake.post_status, {"error": "no streamable http here"})
        if message.get("method") == "initialize":
            session = self.fake.new_session()
            return self._send(200, self.fake.answer(message), {"Mcp-Session-Id": session} if session else {})
        if not self.fake.stateless and self.headers.get("Mcp-Session-Id") != self.fake.session_id:
            return self._send(404, {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "no session"}})
        name = (message.get("params") or {}).get("name")
        if message.get("method") == "tools/call" and name == "hang":
            return self._hold()
        if message.get("method") == "tools/call" and name == "resumable":
            return self._resumable_start(message)
        response = self.fake.answer(message)
        self._send(200, response) if response else self._send(202)

    def _resumable_start(self, message: dict) -> None:
        self._start_stream()
        token = message["params"]["_meta"]["progressToken"]
        progress = {"jsonrpc": "2.0", "method": "notifications/progress",
                    "params": {"progressToken": token, "progress": 1, "total": 2}}
        self._event("", event_id="0")  # a priming event: an id and no data
        self._event(progress, event_id="1")
        self.fake.pending_resume = message
        self._cut()

    def do_GET(self) -> None:
        self._record()
        if self.path.startswith("/prefix/sse"):
            return self._legacy_stream()
        if self.headers.get("Last-Event-ID") == "1" and getattr(self.fake, "pending_resume", None):
            self._start_stream()
            self._event(self.fake.answer(self.fake.pending_resume), event_id="2")
            self.wfile.write(b"0\r\n\r\n")
            return
        self._send(405)

    def do_DELETE(self) -> None:
        self._record()
        self._send(self.fake.delete_status)

    def _legacy_stream(self) -> None:
        self._start_stream()
        self._event(self.fake.endpoint, event="endpoint")
        while not self.fake.stopping.is_set():
            try:
                item = self.fake.outbox.get(timeout=0.05)
            except queue.Empty:
                continue
            if item is None:
                self.wfile.write(b"0\r\n\r\n")
                return
            self._event(item, event="message")
        self.close_connection = True

    def _legacy_post(self, message: Any) -> None:
        self._send(202)
        response = self.fake.answer(message) if isinstance(message, dict) else None
        if response and not (message.get("method") == "tools/call" and message["params"].get("name") == "hang"):
            self.fake.outbox.put(response)
