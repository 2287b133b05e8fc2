"""Domain errors raised by the MCP client.

Every error has a human-readable ``.message``. :class:`McpClientError` is the common base, so callers
can catch all MCP failures at once; JSON-RPC errors returned by the server are :class:`McpError`
subclasses carrying ``code`` and ``data``. A tool result with ``isError: true`` is not an exception.
"""
from __future__ import annotations

from typing import Any

METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602


class McpClientError(Exception):
    """Base of every MCP client failure."""

    default_message = "MCP request failed."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class McpConnectionError(McpClientError):
    """The server could not be reached, answered with an HTTP error, or broke the stream."""

    default_message = "Could not talk to the MCP server."

    def __init__(self, message: str | None = None, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class McpProtocolError(McpConnectionError):
    """The server spoke something we cannot use (bad JSON-RPC, unsupported protocol version)."""

    default_message = "The MCP server sent an invalid message."


class McpSessionExpired(McpConnectionError):
    """The server answered 404 to a request carrying our session id (handled by re-initializing once)."""

    default_message = "The MCP session expired."


class McpTimeout(McpClientError):
    """A request got no answer within its timeout (a ``notifications/cancelled`` was sent)."""

    default_message = "The MCP request timed out."


class McpUrlRefused(McpClientError):
    """A URL is not allowed: malformed, not http(s), or (resolving to) an address the guard denies."""

    default_message = "This MCP server URL is not allowed."


class McpError(McpClientError):
    """A JSON-RPC error response: ``code``, ``message`` and optional ``data``."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message or f"JSON-RPC error {code}")
        self.code = code
        self.data = data

    def __str__(self) -> str:
        return f"{self.message} (code {self.code})"


class McpMethodNotFound(McpError):
    """JSON-RPC -32601: the server does not implement the method."""


class McpInvalidParams(McpError):
    """JSON-RPC -32602: the server rejected the parameters (e.g. an unknown tool)."""


def error_from_response(error: Any) -> McpError:
    """The typed :class:`McpError` for a JSON-RPC ``error`` member."""
    if not isinstance(error, dict):
        return McpError(0, f"Malformed JSON-RPC error: {error!r}")
    code = error.get("code")
    code = code if isinstance(code, int) else 0
    message = str(error.get("message") or f"JSON-RPC error {code}")
    kind = {METHOD_NOT_FOUND: McpMethodNotFound, INVALID_PARAMS: McpInvalidParams}.get(code, McpError)
    return kind(code, message, error.get("data"))
