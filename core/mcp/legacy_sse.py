"""HTTP+SSE transport (MCP 2024-11-05): one GET event stream in, POSTs to the announced endpoint out."""
from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urljoin

import requests

from core import netguard
from core.mcp import http
from core.mcp.config import SSE_VERSIONS, ServerConfig
from core.mcp.errors import McpClientError, McpConnectionError, McpProtocolError
from core.mcp.router import MessageRouter
from core.mcp.sse import iter_events

log = logging.getLogger(__name__)


class SseTransport:
    """Reads the server's event stream in a daemon thread that routes responses to waiting callers by id."""

    name = "sse"
    versions = SSE_VERSIONS
    session_id = None  # the legacy transport keeps its session in the endpoint URL

    def __init__(self, config: ServerConfig, session: requests.Session, router: MessageRouter):
        self.config = config
        self.http = session
        self.router = router
        self.endpoint: str | None = None
        self.protocol_version: str | None = None
        self._ready = threading.Event()
        self._broken: McpClientError | None = None
        self._closing = False
        self._response: requests.Response | None = None
        self._thread: threading.Thread | None = None

    def open(self) -> None:
        """GET the stream and wait for its ``endpoint`` event. Raises McpConnectionError."""
        with http.translating("opening the SSE stream"):
            self._response = self.http.get(
                self.config.url, headers={**self.config.headers, "Accept": http.EVENT_STREAM}, stream=True,
                allow_redirects=False, timeout=(self.config.connect_timeout, self.config.sse_read_timeout))
        if self._response.status_code != 200 or http.media_type(self._response) != http.EVENT_STREAM:
            error = http.status_error(self._response, "GET") if self._response.status_code != 200 else \
                McpProtocolError("The MCP server's SSE URL did not answer with an event stream.")
            self._response.close()
            raise error
        self._thread = threading.Thread(target=self._read_loop, name="mcp-sse", daemon=True)
        self._thread.start()
        if not self._ready.wait(self.config.timeout) or self.endpoint is None:
            error = self._broken or McpConnectionError("The MCP server sent no endpoint event on its SSE stream.")
            self.close()
            raise error

    def request(self, message: dict, timeout: float) -> dict:
        """POST a request and wait for its response on the stream. Raises McpTimeout, McpConnectionError."""
        deadline = time.monotonic() + timeout
        waiter = self.router.expect(message["id"])
        try:
            self._post(message, timeout)
            return waiter.wait(deadline - time.monotonic())
        finally:
            self.router.forget(message["id"])

    def send(self, message: dict) -> None:
        """POST a notification or a response."""
        self._post(message, self.config.timeout)

    def reset(self) -> None:
        """Nothing to forget: a legacy session never expires with a 404."""

    def listen(self) -> None:
        """Server-initiated messages already arrive on the one stream."""

    def wait_listening(self, timeout: float) -> bool:
        """True while the one event stream is open."""
        return self._broken is None and self.endpoint is not None

    def close(self) -> None:
        """Close the stream and wait (briefly) for the reader thread."""
        self._closing = True
        http.abort(self._response)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    def _post(self, message: dict, timeout: float) -> None:
        if self._broken is not None:
            raise self._broken
        what = message.get("method") or "a response"
        with http.translating(what):
            response = self.http.post(self.endpoint, data=http.encode(message), allow_redirects=False,
                                      headers={**self.config.headers, "Content-Type": http.JSON},
                                      timeout=(self.config.connect_timeout, timeout))
        with response:
            if response.status_code >= 300:
                raise http.status_error(response, what)

    def _read_loop(self) -> None:
        try:
            for event in iter_events(self._response.iter_content(chunk_size=None)):
                if event.event == "endpoint":
                    self._set_endpoint(event.data.strip())
                elif event.event == "message" and event.data:
                    self._deliver(event.data)
            error = McpConnectionError("The MCP server closed its SSE stream.")
        except McpClientError as exc:
            error = exc
        except (requests.RequestException, OSError) as exc:
            error = McpConnectionError(f"The MCP SSE stream broke: {exc}")
        except Exception as exc:  # a bug here must still wake the waiting callers
            log.exception("MCP: SSE reader failed")
            error = McpConnectionError(f"The MCP SSE reader failed: {exc}")
        finally:
            self._response.close()
        self._broken = error
        if not self._closing:
            log.info("MCP: %s", error.message)
        self.router.fail_all(error)
        self._ready.set()

    def _deliver(self, data: str) -> None:
        try:
            self.router.deliver(http.decode(data), self.reply)
        except McpProtocolError as exc:
            log.warning("MCP: skipping an unreadable SSE message: %s", exc.message)

    def reply(self, message: dict) -> None:
        """Best-effort :meth:`send` of our answer to a server request (a failure is logged)."""
        try:
            self.send(message)
        except McpClientError as exc:
            log.warning("MCP: could not answer the server's request: %s", exc.message)

    def _set_endpoint(self, target: str) -> None:
        endpoint = urljoin(self.config.url, target)
        if _origin(endpoint) != _origin(self.config.url):
            raise McpProtocolError(f"The MCP server announced an endpoint on another origin: {endpoint}")
        self.endpoint = endpoint
        self._ready.set()


def _origin(url: str) -> tuple:
    try:
        target = netguard.parse_url(url)
    except netguard.UrlRefused as exc:
        raise McpProtocolError(f"The MCP server announced an unusable endpoint: {exc}") from exc
    return target.scheme, target.host, target.port
