"""Server-initiated traffic from the SDK server, transport fallback and session teardown."""
from __future__ import annotations

import threading

import pytest
import requests

from core.mcp import McpConnectionError, McpSession
from tests.mcp.conftest import make_config


class Notes:
    """Collects notifications; ``wait_for(method)`` blocks (bounded) until one arrives."""

    def __init__(self) -> None:
        self.methods: list[str] = []
        self._arrived = threading.Condition()

    def __call__(self, method: str, params: dict) -> None:
        with self._arrived:
            self.methods.append(method)
            self._arrived.notify_all()

    def wait_for(self, method: str, timeout: float = 5.0) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: method in self.methods, timeout)


def test_notifications_on_request_and_listen_streams(open_session, stateful_url):
    notes = Notes()
    session = open_session(stateful_url, on_notification=notes, listen=True)
    assert session.wait_listening(5)
    assert session.call_tool("notify_change").text == "notified"
    assert "notifications/resources/list_changed" in notes.methods  # arrived before the result
    assert notes.wait_for("notifications/tools/list_changed")  # arrived on the GET stream


def test_unscoped_notification_needs_listen(open_session, stateful_url):
    notes = Notes()
    session = open_session(stateful_url, on_notification=notes)
    session.call_tool("notify_change")
    assert notes.methods == ["notifications/resources/list_changed"]


def test_legacy_sse_carries_every_notification(open_session, legacy_sse_url):
    notes = Notes()
    open_session(legacy_sse_url, on_notification=notes).call_tool("notify_change")
    assert notes.wait_for("notifications/tools/list_changed")
    assert "notifications/resources/list_changed" in notes.methods


@pytest.mark.parametrize("sdk_kind", ["stateful", "legacy_sse"])
def test_server_requests_are_answered(open_session, sdk_url):
    session = open_session(sdk_url)
    assert session.call_tool("ping_client").text == "pong"
    assert session.call_tool("ask_roots").text == "error -32601: Method not found: roots/list"


def test_custom_request_handler(open_session, stateful_url):
    session = open_session(stateful_url, request_handlers={"roots/list": lambda params: {"roots": []}})
    assert session.call_tool("ask_roots").text == "roots answered"


def test_auto_falls_back_to_legacy_sse(open_session, legacy_sse_url):
    session = open_session(legacy_sse_url, transport="auto")
    assert session.transport_name == "sse"
    assert session.call_tool("add", {"a": 3, "b": 4}).text == "7"


def test_streamable_only_does_not_fall_back(legacy_sse_url):
    session = McpSession(make_config(legacy_sse_url, transport="streamable"))
    with pytest.raises(McpConnectionError) as caught:
        session.initialize()
    session.close()
    assert caught.value.status == 405


def test_close_deletes_the_session(stateful_url):
    with McpSession(make_config(stateful_url), listen=True) as session:
        session_id = session.session_id
        assert session.wait_listening(5)
    headers = {"Accept": "application/json, text/event-stream", "Mcp-Session-Id": session_id,
               "MCP-Protocol-Version": "2025-11-25"}
    reply = requests.post(stateful_url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers, timeout=5)
    assert reply.status_code == 404


def test_sessions_are_independent(open_session, stateful_url):
    first, second = open_session(stateful_url), open_session(stateful_url)
    assert first.session_id != second.session_id
    first.close()
    assert second.call_tool("add", {"a": 1, "b": 2}).text == "3"
