"""The optional GET stream of Streamable HTTP: server-initiated messages, read in a daemon thread."""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

import requests

from core.mcp import http
from core.mcp.errors import McpClientError
from core.mcp.sse import iter_events

if TYPE_CHECKING:
    from core.mcp.streamable import StreamableHttpTransport

log = logging.getLogger(__name__)

MAX_FAILURES = 5  # consecutive failed or empty connections before giving up
RECONNECT_DELAY = 0.5
MAX_DELAY = 5.0


class Listener:
    """Keeps a GET stream open (reconnecting with ``Last-Event-ID``) and routes what arrives on it.

    ``connected`` is set while a stream is open; ``offered`` becomes False when the server answers 405.
    """

    def __init__(self, transport: StreamableHttpTransport):
        self.transport = transport
        self.connected = threading.Event()
        self.offered: bool | None = None
        self._stopping = threading.Event()
        self._response: requests.Response | None = None
        self._thread = threading.Thread(target=self._run, name="mcp-listen", daemon=True)
        self._last_event_id: str | None = None
        self._delay = RECONNECT_DELAY

    def start(self) -> None:
        """Start the reader thread."""
        self._thread.start()

    def stop(self) -> None:
        """Close the stream and wait (briefly) for the thread to end."""
        self._stopping.set()
        http.abort(self._response)
        self._thread.join(timeout=2.0)

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set() and failures < MAX_FAILURES:
            try:
                response = self.transport.get_stream(self._last_event_id, self.transport.config.sse_read_timeout)
            except McpClientError as exc:
                log.info("MCP: GET stream failed: %s", exc.message)
                failures += 1
                self._stopping.wait(self._delay)
                continue
            if response is None:
                self.offered = False
                return
            self.offered = True
            failures = 0 if self._read(response) else failures + 1
            self._stopping.wait(self._delay)

    def _read(self, response: requests.Response) -> bool:
        """Route events until the stream ends; True when at least one event arrived."""
        self._response = response
        if self._stopping.is_set():
            http.abort(response)
            return False
        self.connected.set()
        received = False
        try:
            for event in iter_events(response.iter_content(chunk_size=None)):
                received = True
                self._last_event_id = event.id if event.id is not None else self._last_event_id
                self._delay = min(event.retry, MAX_DELAY) if event.retry is not None else self._delay
                if event.data:
                    self.transport.router.deliver(http.decode(event.data), self.transport.reply)
        except (requests.RequestException, McpClientError, OSError) as exc:
            if not self._stopping.is_set():
                log.info("MCP: GET stream broke: %s", exc)
        finally:
            self.connected.clear()
            response.close()
        return received
