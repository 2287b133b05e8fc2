"""Routing of server-to-client JSON-RPC messages: responses, notifications and requests.

Callbacks run on whichever thread read the message (the caller's own thread for a Streamable HTTP
POST stream; the reader thread for the legacy SSE stream and the GET listen stream): keep them short
and thread-safe. An exception in a callback is logged and swallowed so the stream keeps flowing.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from core.mcp.errors import METHOD_NOT_FOUND, McpClientError, McpError, McpTimeout

log = logging.getLogger(__name__)

ProgressCallback = Callable[[float, "float | None", "str | None"], None]
RequestHandler = Callable[[dict], dict]
INTERNAL_ERROR = -32603


def is_response(message: Any) -> bool:
    """True for a JSON-RPC response (``result`` or ``error``) rather than a request or notification."""
    return isinstance(message, dict) and "method" not in message and ("result" in message or "error" in message)


def is_request(message: Any) -> bool:
    """True for a JSON-RPC request (has ``method`` and ``id``)."""
    return isinstance(message, dict) and "method" in message and "id" in message


@dataclass
class Handlers:
    """Session-wide callbacks for what the server sends on its own.

    ``on_progress(params)`` gets ``notifications/progress`` params that no per-call callback claimed;
    ``on_log(params)`` gets ``notifications/message`` params (``level``, ``logger``, ``data``);
    ``on_notification(method, params)`` gets every other notification. ``requests`` maps extra
    server->client request methods to ``fn(params) -> result``; ``ping`` is always answered and any
    other method gets JSON-RPC error -32601.
    """

    on_progress: Callable[[dict], None] | None = None
    on_log: Callable[[dict], None] | None = None
    on_notification: Callable[[str, dict], None] | None = None
    requests: dict[str, RequestHandler] = field(default_factory=dict)


class _Waiter:
    """A caller blocked until the response with its id arrives (legacy SSE transport)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._message: dict | None = None
        self._error: McpClientError | None = None

    def set(self, message: dict | None = None, error: McpClientError | None = None) -> None:
        """Wake the caller with the response ``message`` or with ``error``."""
        self._message, self._error = message, error
        self._event.set()

    def wait(self, timeout: float) -> dict:
        """The response message. Raises McpTimeout, or the error the stream failed with."""
        if not self._event.wait(max(timeout, 0.0)):
            raise McpTimeout()
        if self._error is not None:
            raise self._error
        return self._message


class MessageRouter:
    """Hands each message from the server to the right place."""

    def __init__(self, handlers: Handlers | None = None):
        self.handlers = handlers or Handlers()
        self._lock = threading.Lock()
        self._waiters: dict[Any, _Waiter] = {}
        self._progress: dict[Any, ProgressCallback] = {}

    def expect(self, request_id: Any) -> _Waiter:
        """Register interest in the response to ``request_id`` (pair with :meth:`forget`)."""
        waiter = _Waiter()
        with self._lock:
            self._waiters[request_id] = waiter
        return waiter

    def forget(self, request_id: Any) -> None:
        """Stop waiting for ``request_id``."""
        with self._lock:
            self._waiters.pop(request_id, None)

    def fail_all(self, error: McpClientError) -> None:
        """Wake every waiting caller with ``error`` (the stream is gone)."""
        with self._lock:
            waiters, self._waiters = list(self._waiters.values()), {}
        for waiter in waiters:
            waiter.set(error=error)

    def watch_progress(self, token: Any, callback: ProgressCallback) -> None:
        """Send ``notifications/progress`` for ``token`` to ``callback``."""
        with self._lock:
            self._progress[token] = callback

    def unwatch_progress(self, token: Any) -> None:
        """Stop routing progress for ``token``."""
        with self._lock:
            self._progress.pop(token, None)

    def deliver(self, message: Any, reply: Callable[[dict], None]) -> None:
        """Route one message (or a batch); ``reply(response)`` sends answers to server requests."""
        for item in message if isinstance(message, list) else [message]:
            if is_response(item):
                self._resolve(item)
            elif is_request(item):
                reply(self.answer(item))
            elif isinstance(item, dict) and isinstance(item.get("method"), str):
                self._notify(item["method"], item.get("params") or {})
            else:
                log.warning("MCP: ignoring malformed message %r", item)

    def answer(self, request: dict) -> dict:
        """The JSON-RPC response to a server->client request."""
        method, params = request["method"], request.get("params") or {}
        handler = self.handlers.requests.get(method)
        if method == "ping" and handler is None:
            return {"jsonrpc": "2.0", "id": request["id"], "result": {}}
        if handler is None:
            error = {"code": METHOD_NOT_FOUND, "message": f"Method not found: {method}"}
            return {"jsonrpc": "2.0", "id": request["id"], "error": error}
        try:
            return {"jsonrpc": "2.0", "id": request["id"], "result": handler(params)}
        except McpError as exc:
            return {"jsonrpc": "2.0", "id": request["id"], "error": {"code": exc.code, "message": exc.message}}
        except Exception as exc:  # a handler bug must not leave the server waiting
            log.exception("MCP: request handler for %s failed", method)
            return {"jsonrpc": "2.0", "id": request["id"], "error": {"code": INTERNAL_ERROR, "message": str(exc)}}

    def _resolve(self, response: dict) -> None:
        with self._lock:
            waiter = self._waiters.pop(response.get("id"), None)
        if waiter is None:
            log.debug("MCP: dropping response to unknown id %r", response.get("id"))
        else:
            waiter.set(message=response)

    def _notify(self, method: str, params: dict) -> None:
        if method == "notifications/progress":
            with self._lock:
                callback = self._progress.get(params.get("progressToken"))
            if callback is not None:
                _safely(callback, params.get("progress"), params.get("total"), params.get("message"))
            elif self.handlers.on_progress:
                _safely(self.handlers.on_progress, params)
        elif method == "notifications/message" and self.handlers.on_log:
            _safely(self.handlers.on_log, params)
        elif method != "notifications/message" and self.handlers.on_notification:
            _safely(self.handlers.on_notification, method, params)


def _safely(callback: Callable, *args: Any) -> None:
    try:
        callback(*args)
    except Exception:  # a callback bug must not break the stream
        log.exception("MCP: callback %r failed", callback)
