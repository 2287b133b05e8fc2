"""An MCP client session: handshake, requests with timeouts and cancellation, typed helpers.

Plain ``requests``/``threading``/``time`` only, so it becomes cooperative under gevent's monkey-patching.
"""
from __future__ import annotations

import itertools
import logging
import threading
from typing import Any, Callable

from core import netguard
from core.mcp import http
from core.mcp.config import CLIENT_INFO, STREAMABLE_VERSIONS, ServerConfig
from core.mcp.errors import (
    McpClientError,
    McpConnectionError,
    McpProtocolError,
    McpSessionExpired,
    McpTimeout,
    error_from_response,
)
from core.mcp.legacy_sse import SseTransport
from core.mcp.router import Handlers, MessageRouter, ProgressCallback, RequestHandler
from core.mcp.streamable import StreamableHttpTransport
from core.mcp.types import ToolResult

log = logging.getLogger(__name__)

FALLBACK_STATUSES = (400, 404, 405)  # a Streamable HTTP POST refused like this means "try HTTP+SSE"
MAX_PAGES = 100


class McpSession:
    """A connection to one MCP server; use as a context manager (``initialize()`` ... ``close()``).

    Callbacks: ``on_progress(params)`` (progress no call claimed), ``on_log(params)``
    (``notifications/message``), ``on_notification(method, params)`` (any other notification);
    ``request_handlers`` answers extra server->client requests. ``listen=True`` opens the Streamable
    HTTP GET stream for server-initiated messages. Every HTTP request goes through ``guard`` (default:
    one built from the config's allow flags). Safe to share between threads/greenlets.
    """

    def __init__(self, config: ServerConfig, *, on_progress: Callable[[dict], None] | None = None,
                 on_log: Callable[[dict], None] | None = None,
                 on_notification: Callable[[str, dict], None] | None = None,
                 request_handlers: dict[str, RequestHandler] | None = None, listen: bool = False,
                 client_info: dict | None = None, guard: netguard.Guard | None = None):
        self.config = config
        self.router = MessageRouter(Handlers(on_progress, on_log, on_notification, dict(request_handlers or {})))
        self.listen = listen
        self.client_info = client_info or CLIENT_INFO
        self._guard = guard or netguard.Guard(config.policy)
        self._http = netguard.session(self._guard)
        self._transport: StreamableHttpTransport | SseTransport | None = None
        self._init_result: dict = {}
        self._ids = itertools.count(1)
        self._tokens = itertools.count(1)
        self._init_lock = threading.Lock()

    def __enter__(self) -> McpSession:
        try:
            self.initialize()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    @property
    def server_info(self) -> dict:
        """The server's ``serverInfo`` (name, version, ...)."""
        return self._init_result.get("serverInfo") or {}

    @property
    def capabilities(self) -> dict:
        """The server's declared capabilities."""
        return self._init_result.get("capabilities") or {}

    @property
    def instructions(self) -> str | None:
        """The server's optional usage instructions."""
        return self._init_result.get("instructions")

    @property
    def protocol_version(self) -> str | None:
        """The negotiated protocol version (None before initialize)."""
        return self._transport.protocol_version if self._transport else None

    @property
    def transport_name(self) -> str | None:
        """"streamable" or "sse" once connected."""
        return self._transport.name if self._transport else None

    @property
    def session_id(self) -> str | None:
        """The Streamable HTTP ``Mcp-Session-Id`` (None for stateless servers and the SSE transport)."""
        return self._transport.session_id if self._transport else None

    def initialize(self) -> dict:
        """Connect (SSRF check, transport choice), handshake and send ``notifications/initialized``.

        Returns the ``initialize`` result. Raises McpUrlRefused, McpConnectionError, McpProtocolError
        (unsupported protocol version), McpTimeout.
        """
        if self._transport is not None:
            return self._init_result
        with http.translating("checking the server URL"):
            self._guard.check(self.config.url)
        if self.config.transport != "sse":
            try:
                return self._handshake(StreamableHttpTransport(self.config, self._http, self.router))
            except McpConnectionError as exc:
                if self.config.transport != "auto" or exc.status not in FALLBACK_STATUSES:
                    raise
                log.info("MCP: %s; falling back to HTTP+SSE", exc.message)
        transport = SseTransport(self.config, self._http, self.router)
        transport.open()
        return self._handshake(transport)

    def ping(self, timeout: float | None = None) -> None:
        """Check the server answers. Raises like :meth:`request`."""
        self.request("ping", None, timeout)

    def list_tools(self, timeout: float | None = None) -> list[dict]:
        """Every tool (following ``nextCursor``): dicts with ``name``, ``description``, ``inputSchema``..."""
        return self._paginate("tools/list", "tools", timeout)

    def call_tool(self, name: str, arguments: dict | None = None, *, progress: ProgressCallback | None = None,
                  timeout: float | None = None) -> ToolResult:
        """Call a tool. ``progress(progress, total, message)`` receives its progress notifications.

        A ``_meta.progressToken`` is sent when ``progress`` or the session's ``on_progress`` is set.
        A tool failure is a result with ``is_error`` True, not an exception. Raises McpError (e.g.
        McpInvalidParams for an unknown tool), McpTimeout (after sending ``notifications/cancelled``),
        McpConnectionError.
        """
        params: dict = {"name": name, "arguments": arguments or {}}
        token = None
        if progress is not None or self.router.handlers.on_progress is not None:
            token = f"progress-{next(self._tokens)}"
            params["_meta"] = {"progressToken": token}
        if progress is not None:
            self.router.watch_progress(token, progress)
        try:
            return ToolResult.from_result(self.request("tools/call", params, timeout))
        finally:
            if token is not None:
                self.router.unwatch_progress(token)

    def list_resources(self, timeout: float | None = None) -> list[dict]:
        """Every resource (following ``nextCursor``)."""
        return self._paginate("resources/list", "resources", timeout)

    def list_resource_templates(self, timeout: float | None = None) -> list[dict]:
        """Every resource template (following ``nextCursor``)."""
        return self._paginate("resources/templates/list", "resourceTemplates", timeout)

    def read_resource(self, uri: str, timeout: float | None = None) -> list[dict]:
        """The ``contents`` of a resource (dicts with ``uri``, ``mimeType`` and ``text`` or ``blob``)."""
        return list(self.request("resources/read", {"uri": uri}, timeout).get("contents") or [])

    def list_prompts(self, timeout: float | None = None) -> list[dict]:
        """Every prompt (following ``nextCursor``)."""
        return self._paginate("prompts/list", "prompts", timeout)

    def get_prompt(self, name: str, arguments: dict | None = None, timeout: float | None = None) -> dict:
        """A rendered prompt: ``{"description"?, "messages": [...]}``."""
        return self.request("prompts/get", {"name": name, "arguments": arguments or {}}, timeout)

    def set_logging_level(self, level: str, timeout: float | None = None) -> None:
        """Ask the server to send log messages at ``level`` and above."""
        self.request("logging/setLevel", {"level": level}, timeout)

    def request(self, method: str, params: dict | None = None, timeout: float | None = None) -> dict:
        """Send a JSON-RPC request and return its ``result``.

        A 404 for our session id re-initializes once and retries. On timeout a
        ``notifications/cancelled`` is sent and McpTimeout raised. Raises McpError subclasses for
        JSON-RPC errors, McpConnectionError, McpProtocolError.
        """
        if self._transport is None:
            raise McpConnectionError("The MCP session is not initialized.")
        stale = self._transport.session_id
        try:
            return self._exchange(method, params, timeout)
        except McpSessionExpired:
            self._reinitialize(stale)
            return self._exchange(method, params, timeout)

    def notify(self, method: str, params: dict | None = None) -> None:
        """Send a JSON-RPC notification. Raises McpConnectionError."""
        if self._transport is None:
            raise McpConnectionError("The MCP session is not initialized.")
        self._transport.send(_message(method, params))

    def close(self) -> None:
        """End the session (DELETE for Streamable HTTP) and release connections. Idempotent."""
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()
        self._http.close()

    def wait_listening(self, timeout: float) -> bool:
        """True once server-initiated messages can arrive (the GET stream is open, or the legacy SSE stream)."""
        return bool(self._transport and self._transport.wait_listening(timeout))

    def _handshake(self, transport: StreamableHttpTransport | SseTransport) -> dict:
        try:
            result = self._negotiate(transport)
            transport.send(_message("notifications/initialized"))
        except BaseException:
            transport.close()
            raise
        self._init_result, self._transport = result, transport
        if self.listen:
            transport.listen()
        return result

    def _negotiate(self, transport: StreamableHttpTransport | SseTransport) -> dict:
        params = {"protocolVersion": STREAMABLE_VERSIONS[0], "capabilities": {}, "clientInfo": self.client_info}
        result = _result(transport.request(_message("initialize", params, 0), self.config.timeout))
        version = result.get("protocolVersion")
        if version not in transport.versions:
            raise McpProtocolError(f"The MCP server wants protocol version {version!r}; "
                                   f"this client supports {', '.join(transport.versions)}.")
        transport.protocol_version = version
        return result

    def _reinitialize(self, stale: str | None) -> None:
        with self._init_lock:
            transport = self._transport
            if transport is None or transport.session_id != stale:
                return  # closed, or another caller already re-initialized
            log.info("MCP: session %s expired; re-initializing", stale)
            transport.close()
            transport.reset()
            self._handshake(transport)

    def _exchange(self, method: str, params: dict | None, timeout: float | None) -> dict:
        request_id = next(self._ids)
        seconds = timeout if timeout is not None else self.config.timeout
        try:
            response = self._transport.request(_message(method, params, request_id), seconds)
        except McpTimeout:
            self._cancel(request_id, f"timed out after {seconds:g} s")
            raise McpTimeout(f"MCP request {method} timed out after {seconds:g} s.") from None
        return _result(response)

    def _cancel(self, request_id: int, reason: str) -> None:
        try:
            self.notify("notifications/cancelled", {"requestId": request_id, "reason": reason})
        except McpClientError as exc:
            log.info("MCP: could not send cancellation: %s", exc.message)

    def _paginate(self, method: str, key: str, timeout: float | None) -> list[dict]:
        items: list[dict] = []
        cursor = None
        for _ in range(MAX_PAGES):
            result = self.request(method, {"cursor": cursor} if cursor else None, timeout)
            items.extend(result.get(key) or [])
            cursor = result.get("nextCursor")
            if not cursor:
                return items
        raise McpProtocolError(f"The MCP server returned more than {MAX_PAGES} pages for {method}.")


McpClient = McpSession


def _message(method: str, params: dict | None = None, request_id: int | None = None) -> dict:
    message: dict = {"jsonrpc": "2.0", "method": method}
    if request_id is not None:
        message["id"] = request_id
    if params is not None:
        message["params"] = params
    return message


def _result(response: dict) -> dict:
    if "error" in response:
        raise error_from_response(response["error"])
    result = response.get("result")
    if not isinstance(result, dict):
        raise McpProtocolError("The MCP server's response has no result object.")
    return result
