"""Streamable HTTP transport (MCP 2025-03-26, 2025-06-18, 2025-11-25).

Every message is POSTed to the server URL; a request's reply is either one JSON body or an SSE stream
that may carry notifications and server->client requests before the response. A stream that breaks
after the server gave event ids is resumed with ``GET`` + ``Last-Event-ID``.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import requests
from urllib3.exceptions import ReadTimeoutError

from core.mcp import http
from core.mcp.config import STREAMABLE_VERSIONS, ServerConfig
from core.mcp.errors import McpClientError, McpConnectionError, McpProtocolError, McpSessionExpired, McpTimeout
from core.mcp.listener import Listener
from core.mcp.router import MessageRouter, is_response
from core.mcp.sse import iter_events

log = logging.getLogger(__name__)

MAX_RESUMES = 5
DEFAULT_RETRY = 0.5  # seconds before resuming when the server sent no ``retry`` field
MAX_RETRY = 5.0


@dataclass
class _Cursor:
    """Where a broken SSE stream can be resumed from."""

    last_event_id: str | None = None
    retry: float = DEFAULT_RETRY


class StreamableHttpTransport:
    """POSTs JSON-RPC messages; keeps the ``Mcp-Session-Id`` and negotiated version for later requests."""

    name = "streamable"
    versions = STREAMABLE_VERSIONS

    def __init__(self, config: ServerConfig, session: requests.Session, router: MessageRouter):
        self.config = config
        self.http = session
        self.router = router
        self.session_id: str | None = None
        self.protocol_version: str | None = None
        self._listener: Listener | None = None

    def headers(self, accept: str = f"{http.JSON}, {http.EVENT_STREAM}") -> dict:
        """Headers for the next HTTP request: custom ones, then session id and protocol version."""
        headers = {**self.config.headers, "Accept": accept}
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        if self.protocol_version:
            headers["MCP-Protocol-Version"] = self.protocol_version
        return headers

    def request(self, message: dict, timeout: float) -> dict:
        """POST a request and return its response message. Raises McpTimeout, McpConnectionError."""
        deadline = time.monotonic() + timeout
        response = self._post(message, timeout)
        try:
            if message.get("method") == "initialize":
                self._keep_session_id(response)
            return self._read_reply(response, message["id"], deadline)
        finally:
            response.close()

    def send(self, message: dict) -> None:
        """POST a notification or a response (the server answers 202 Accepted)."""
        self._post(message, self.config.timeout).close()

    def reply(self, message: dict) -> None:
        """Best-effort :meth:`send` of our answer to a server request (a failure is logged)."""
        try:
            self.send(message)
        except McpClientError as exc:
            log.warning("MCP: could not answer the server's request: %s", exc.message)

    def reset(self) -> None:
        """Forget the expired session, so the next initialize starts a new one."""
        self.session_id = self.protocol_version = None

    def listen(self) -> None:
        """Open the GET stream for server-initiated messages in a daemon thread (405 = not offered)."""
        if self._listener is None:
            self._listener = Listener(self)
            self._listener.start()

    def wait_listening(self, timeout: float) -> bool:
        """True once the GET stream is open; False if not listening, not offered, or not yet open."""
        return self._listener is not None and self._listener.connected.wait(timeout)

    def close(self) -> None:
        """Stop listening and end the session with DELETE (405 = the server does not allow it)."""
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        if not self.session_id:
            return
        try:
            timeout = (self.config.connect_timeout, min(self.config.timeout, 5.0))
            with http.translating("DELETE"):
                self.http.delete(self.config.url, headers=self.headers(), timeout=timeout,
                                 allow_redirects=False).close()
        except McpClientError as exc:
            log.debug("MCP: DELETE of session failed: %s", exc.message)
        self.session_id = None

    def get_stream(self, last_event_id: str | None, read_timeout: float) -> requests.Response | None:
        """Open the GET SSE stream (None when the server answers 405). Raises McpConnectionError."""
        headers = self.headers(accept=http.EVENT_STREAM)
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        with http.translating("opening the event stream"):
            response = self.http.get(self.config.url, headers=headers, stream=True, allow_redirects=False,
                                     timeout=(self.config.connect_timeout, read_timeout))
        if response.status_code == 405:
            response.close()
            return None
        self._check_status(response, "GET")
        return response

    def _post(self, message: dict, timeout: float) -> requests.Response:
        with http.translating(message.get("method") or "a response"):
            response = self.http.post(self.config.url, data=http.encode(message), headers={
                **self.headers(), "Content-Type": http.JSON}, stream=True, allow_redirects=False,
                timeout=(self.config.connect_timeout, timeout))
        self._check_status(response, message.get("method") or "a response")
        return response

    def _check_status(self, response: requests.Response, what: str) -> None:
        if response.status_code < 300:
            return
        try:
            if response.status_code == 404 and self.session_id:
                raise McpSessionExpired(f"MCP session {self.session_id} expired (HTTP 404 to {what}).", status=404)
            raise http.status_error(response, what)
        finally:
            response.close()

    def _keep_session_id(self, response: requests.Response) -> None:
        session_id = response.headers.get("Mcp-Session-Id")
        if session_id and not all(0x21 <= ord(char) <= 0x7E for char in session_id):
            raise McpProtocolError("The MCP server sent an invalid Mcp-Session-Id.")
        self.session_id = session_id or None

    def _read_reply(self, response: requests.Response, request_id: Any, deadline: float) -> dict:
        kind = http.media_type(response)
        if kind == http.EVENT_STREAM:
            return self._read_stream(response, request_id, deadline)
        if kind == http.JSON:
            return self._pick(http.read_json(response), request_id)
        raise McpProtocolError(f"The MCP server answered HTTP {response.status_code} with {kind or 'no'} content "
                               "instead of JSON or an event stream.")

    def _pick(self, payload: Any, request_id: Any) -> dict:
        items = payload if isinstance(payload, list) else [payload]
        found = None
        for item in items:
            if is_response(item) and item.get("id") == request_id:
                found = item
            else:
                self.router.deliver(item, self.reply)
        if found is None:
            raise McpProtocolError("The MCP server's JSON reply did not contain the response.")
        return found

    def _read_stream(self, response: requests.Response, request_id: Any, deadline: float) -> dict:
        cursor = _Cursor()
        for attempt in range(MAX_RESUMES + 1):
            found = self._consume(response, request_id, deadline, cursor)
            if found is not None:
                return found
            if cursor.last_event_id is None:
                raise McpConnectionError("The MCP server closed the stream before sending the response.")
            if attempt == MAX_RESUMES:
                break
            response = self._resume(cursor, deadline)
        raise McpConnectionError(f"The MCP stream broke {MAX_RESUMES + 1} times before the response arrived.")

    def _consume(self, response: requests.Response, request_id: Any, deadline: float,
                 cursor: _Cursor) -> dict | None:
        """Read events until our response (returned) or the end/break of the stream (None)."""
        try:
            for event in iter_events(response.iter_content(chunk_size=None)):
                cursor.last_event_id = event.id if event.id is not None else cursor.last_event_id
                cursor.retry = min(event.retry, MAX_RETRY) if event.retry is not None else cursor.retry
                if event.data:
                    found = self._handle(http.decode(event.data), request_id)
                    if found is not None:
                        return found
                if time.monotonic() >= deadline:
                    raise McpTimeout()
        except requests.RequestException as exc:
            if time.monotonic() >= deadline or _is_read_timeout(exc):
                raise McpTimeout() from exc
            log.info("MCP: stream broke (%s); last event id %r", exc, cursor.last_event_id)
        finally:
            response.close()
        return None

    def _handle(self, message: Any, request_id: Any) -> dict | None:
        if is_response(message) and message.get("id") == request_id:
            return message
        self.router.deliver(message, self.reply)
        return None

    def _resume(self, cursor: _Cursor, deadline: float) -> requests.Response:
        remaining = deadline - time.monotonic()
        if remaining <= cursor.retry:
            raise McpTimeout()
        time.sleep(cursor.retry)
        response = self.get_stream(cursor.last_event_id, remaining - cursor.retry)
        if response is None:
            raise McpConnectionError("The MCP stream broke and the server does not allow resuming it (405).")
        return response


def _is_read_timeout(exc: Exception) -> bool:
    cause = exc.args[0] if exc.args else None
    return isinstance(exc, requests.ReadTimeout) or isinstance(cause, ReadTimeoutError)
