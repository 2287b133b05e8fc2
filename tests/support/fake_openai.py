"""A real loopback HTTP server speaking the OpenAI chat-completions wire format.

Usage::

    with FakeOpenAI() as upstream:
        upstream.script(Reply(text="Hello there", pace=0.01), Reply(status=429))
        settings = ProviderSettings(provider="openai", base_url=upstream.base_url, api_key="sk-test")
        ...
        assert upstream.wait_for_requests(2, timeout=2)

Each request consumes one scripted behaviour (FIFO); when the script is empty
the ``default`` behaviour answers (an echo of the last user message).
"""
import json
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Union

from requests.structures import CaseInsensitiveDict


@dataclass
class Reply:
    """One scripted upstream behaviour.

    ``text`` is split into ``chunks`` (given explicitly, else every ``chunk_size``
    characters). ``pace`` is the pause between chunks, ``first_byte_delay`` the
    pause before anything is sent; ``hang`` never answers until the client goes
    away. ``status`` != 200 sends an OpenAI error body with ``error_message``.
    ``drop_after`` closes the connection abruptly after that many content
    chunks. ``usage`` sends the final usage chunk. ``tool_calls`` is a list of
    ``{"name", "arguments"}`` streamed as fragments (finish_reason "tool_calls").
    ``split_utf8`` writes every event in two flushes cut inside a multi-byte character.
    ``gate`` (an Event) holds the reply before its first content chunk until it is set (at most 60 s).
    """

    text: str | None = None
    chunks: list[str] | None = None
    chunk_size: int = 4
    pace: float = 0.0
    first_byte_delay: float = 0.0
    status: int = 200
    error_message: str | None = None
    error_code: str | None = None
    drop_after: int | None = None
    usage: bool = True
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    tool_calls: list[dict] | None = None
    finish_reason: str | None = None
    hang: bool = False
    split_utf8: bool = False
    gate: threading.Event | None = None

    def text_chunks(self) -> list[str]:
        """The answer's content pieces, in order."""
        if self.chunks is not None:
            return list(self.chunks)
        text, size = self.text or "", max(1, self.chunk_size)
        return [text[i:i + size] for i in range(0, len(text), size)]


Behaviour = Union[Reply, Callable[[dict], Reply]]


@dataclass
class ReceivedRequest:
    """A request the fake received: path, headers (case-insensitive) and JSON body."""

    path: str
    headers: CaseInsensitiveDict
    body: dict = field(default_factory=dict)


def echo_reply(body: dict) -> Reply:
    """The default behaviour: answer "Echo: <last user message>"."""
    users = [m for m in body.get("messages") or [] if m.get("role") == "user"]
    content = users[-1].get("content") if users else ""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return Reply(text=f"Echo: {text}")


class FakeOpenAI:
    """Fake upstream on 127.0.0.1:<random port>; a context manager (starts on enter, stops on exit)."""

    def __init__(self, default: Behaviour = echo_reply, api_key: str | None = None, model: str = "gpt-fake"):
        self.default = default
        self.api_key = api_key
        self.model = model
        self.requests: list[ReceivedRequest] = []
        self.disconnects = 0
        self.completed = 0
        self.dropped = 0
        self.stopping = threading.Event()
        self._script: list[Behaviour] = []
        self._changed = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> "FakeOpenAI":
        """Bind a free loopback port and serve in a daemon thread."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hanging or paced replies are abandoned."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=2)
            self._server = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours, consumed one per request in order."""
        with self._changed:
            self._script.extend(behaviours)

    @property
    def pending(self) -> int:
        """Scripted behaviours not consumed yet."""
        with self._changed:
            return len(self._script)

    @property
    def last_request(self) -> ReceivedRequest | None:
        with self._changed:
            return self.requests[-1] if self.requests else None

    def wait_for_requests(self, count: int, timeout: float = 2.0) -> bool:
        """Wait until at least ``count`` requests arrived."""
        return self._wait(lambda: len(self.requests) >= count, timeout)

    def wait_for_disconnect(self, timeout: float = 2.0, count: int = 1) -> bool:
        """Wait until clients went away mid-reply at least ``count`` times."""
        return self._wait(lambda: self.disconnects >= count, timeout)

    def wait_for_completed(self, count: int = 1, timeout: float = 2.0) -> bool:
        """Wait until at least ``count`` replies were sent to the end."""
        return self._wait(lambda: self.completed >= count, timeout)

    def _wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    def receive(self, path: str, headers, body: dict) -> Reply:
        """Record a request and pick its behaviour (called by the handler thread)."""
        with self._changed:
            self.requests.append(ReceivedRequest(path, CaseInsensitiveDict(headers.items()), body))
            behaviour = self._script.pop(0) if self._script else self.default
            self._changed.notify_all()
        return behaviour(body) if callable(behaviour) else behaviour

    def count(self, outcome: str) -> None:
        """Increment ``disconnects``, ``completed`` or ``dropped`` and wake waiters."""
        with self._changed:
            setattr(self, outcome, getattr(self, outcome) + 1)
            self._changed.notify_all()

    def authorized(self, headers) -> bool:
        """True unless an ``api_key`` was set and the bearer token differs."""
        return self.api_key is None or headers.get("Authorization") == f"Bearer {self.api_key}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # concurrent-client tests must not overflow the listen backlog


class ClientGone(Exception):
    """The client closed its end while a reply was being sent."""


class ServerStopping(Exception):
    """The fake is shutting down; abandon the reply."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            fake = self.server.fake
            _send_json(self, 200, {"object": "list", "data": [{"id": fake.model, "object": "model"}]})
        else:
            _send_json(self, 404, _error_body("Not found", "invalid_request_error", None))

    def do_POST(self) -> None:
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            _send_json(self, 404, _error_body(f"Unknown path {self.path}", "invalid_request_error", None))
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        fake = self.server.fake
        reply = fake.receive(self.path, self.headers, body)
        if not fake.authorized(self.headers):
            reply = Reply(status=401, error_message="Incorrect API key provided: sk-***.")
        try:
            Exchange(self, fake, reply, body).run()
        except ClientGone:
            self.close_connection = True
            fake.count("disconnects")
        except ServerStopping:
            self.close_connection = True


class Exchange:
    """Sends one scripted reply on one handler's connection."""

    def __init__(self, handler: BaseHTTPRequestHandler, fake: FakeOpenAI, reply: Reply, body: dict):
        self.handler, self.fake, self.reply, self.body = handler, fake, reply, body
        self.sock: socket.socket = handler.connection
        self.model = body.get("model") or fake.model
        self.created = int(time.time())

    def run(self) -> None:
        """Delay/hang as scripted, then answer with an error, a JSON completion or an SSE stream."""
        if self.reply.hang:
            self.pause(float("inf"))
        self.pause(self.reply.first_byte_delay)
        if self.reply.status != 200:
            _send_json(self.handler, self.reply.status, self.error_body())
        elif self.body.get("stream"):
            self.stream()
        elif self.reply.drop_after is not None:
            self.drop()
        else:
            _send_json(self.handler, 200, self.completion())
            self.fake.count("completed")

    def pause(self, seconds: float) -> None:
        """Wait up to ``seconds`` watching the socket; raises ClientGone on client EOF/reset, ServerStopping on stop."""
        deadline = time.monotonic() + seconds
        while not self.fake.stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            readable, _, _ = select.select([self.sock], [], [], min(remaining, 0.02))
            if readable and self.client_gone():
                raise ClientGone()
            if readable:
                time.sleep(min(remaining, 0.02))
        raise ServerStopping()

    def hold(self, gate: threading.Event, limit: float = 60.0) -> None:
        """Wait (watching the socket, like `pause`) until `gate` is set or `limit` s passed."""
        deadline = time.monotonic() + limit
        while not gate.is_set() and time.monotonic() < deadline:
            self.pause(0.02)

    def client_gone(self) -> bool:
        try:
            return self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def stream(self) -> None:
        """Headers, role chunk, content and tool-call chunks, finish, usage, ``[DONE]``."""
        self.send_stream_headers()
        self.event(self.chunk({"role": "assistant", "content": ""}))
        pieces = [{"content": text} for text in self.reply.text_chunks()] + self.tool_call_deltas()
        for index, delta in enumerate(pieces):
            if index == self.reply.drop_after:
                return self.drop()
            if index:
                self.pause(self.reply.pace)
            elif self.reply.gate is not None:
                self.hold(self.reply.gate)
            self.event(self.chunk(delta))
        if self.reply.drop_after is not None and self.reply.drop_after >= len(pieces):
            return self.drop()
        self.event(self.chunk({}, self.finish_reason()))
        if self.reply.usage:
            self.event(dict(self.chunk({}), choices=[], usage=self.usage()))
        self.write_chunk(b"data: [DONE]\n\n")
        self.write_raw(b"0\r\n\r\n")
        self.fake.count("completed")

    def send_stream_headers(self) -> None:
        self.handler.send_response(200)
        self.handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.handler.send_header("Cache-Control", "no-cache")
        self.handler.send_header("Transfer-Encoding", "chunked")
        self.handler.end_headers()

    def event(self, payload: dict) -> None:
        data = f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()
        if not self.reply.split_utf8:
            return self.write_chunk(data)
        cut = _utf8_cut(data)
        self.write_chunk(data[:cut])
        time.sleep(0.005)
        self.write_chunk(data[cut:])

    def write_chunk(self, data: bytes) -> None:
        self.write_raw(b"%x\r\n%s\r\n" % (len(data), data))

    def write_raw(self, data: bytes) -> None:
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as exc:
            raise ClientGone() from exc

    def drop(self) -> None:
        """Close the connection abruptly (no terminating chunk, no ``[DONE]``)."""
        self.handler.close_connection = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.fake.count("dropped")

    def chunk(self, delta: dict, finish_reason: str | None = None) -> dict:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }

    def tool_call_deltas(self) -> list[dict]:
        deltas = []
        for index, call in enumerate(self.reply.tool_calls or []):
            head = {"index": index, "id": f"call_{index}", "type": "function"}
            deltas.append({"tool_calls": [dict(head, function={"name": call["name"], "arguments": ""})]})
            arguments, size = _arguments(call), max(1, self.reply.chunk_size)
            for start in range(0, len(arguments), size):
                piece = {"index": index, "function": {"arguments": arguments[start:start + size]}}
                deltas.append({"tool_calls": [piece]})
        return deltas

    def finish_reason(self) -> str:
        return self.reply.finish_reason or ("tool_calls" if self.reply.tool_calls else "stop")

    def usage(self) -> dict:
        prompt = self.reply.prompt_tokens
        if prompt is None:
            prompt = sum(len(str(m.get("content") or "")) for m in self.body.get("messages") or []) // 4 + 1
        completion = self.reply.completion_tokens
        if completion is None:
            completion = len(self.reply.text_chunks()) + len(self.reply.tool_calls or [])
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def completion(self) -> dict:
        message = {"role": "assistant", "content": "".join(self.reply.text_chunks()) or None}
        if self.reply.tool_calls:
            message["tool_calls"] = [
                {"id": f"call_{i}", "type": "function", "function": {"name": c["name"], "arguments": _arguments(c)}}
                for i, c in enumerate(self.reply.tool_calls)
            ]
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": self.finish_reason()}],
            "usage": self.usage(),
        }

    def error_body(self) -> dict:
        status = self.reply.status
        message = self.reply.error_message or _DEFAULT_ERRORS.get(status, f"Upstream error {status}")
        kind = "invalid_request_error" if status < 500 else "server_error"
        return _error_body(message, kind, self.reply.error_code)


_DEFAULT_ERRORS = {
    401: "Incorrect API key provided: sk-***.",
    404: "The model `gpt-fake` does not exist or you do not have access to it.",
    429: "Rate limit reached for requests",
    500: "The server had an error while processing your request. Sorry about that!",
    503: "The engine is currently overloaded, please try again later",
}


def _error_body(message: str, kind: str, code: str | None) -> dict:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _send_json(handler: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    try:
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as exc:
        raise ClientGone() from exc


def _arguments(call: dict) -> str:
    arguments = call.get("arguments", "")
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def _utf8_cut(data: bytes) -> int:
    """An index inside the first multi-byte UTF-8 character, else the middle."""
    for index, byte in enumerate(data):
        if byte & 0xC0 == 0x80:
            return index
    return len(data) // 2
