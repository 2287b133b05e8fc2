"""Streamable HTTP cases the SDK cannot produce on demand, against the hand-rolled fake server."""
from __future__ import annotations

import time

import pytest

from core.mcp import McpConnectionError, McpInvalidParams, McpProtocolError, McpSession, McpTimeout
from tests.mcp.conftest import make_config
from tests.mcp.fake_server import FakeMcpServer


def session_for(server: FakeMcpServer, **config) -> McpSession:
    return McpSession(make_config(server.url, **config))


def test_list_tools_follows_cursor():
    with FakeMcpServer(pages=3) as server, session_for(server) as session:
        names = [tool["name"] for tool in session.list_tools()]
    assert names == ["tool_0_0", "tool_0_1", "tool_1_0", "tool_1_1", "tool_2_0", "tool_2_1"]
    cursors = [(item.message.get("params") or {}).get("cursor") for item in server.seen("tools/list")]
    assert cursors == [None, "1", "2"]


def test_headers_session_id_and_version():
    with FakeMcpServer(version="2025-03-26") as server:
        with session_for(server, headers={"Authorization": "Bearer secret"}) as session:
            assert session.protocol_version == "2025-03-26"
            session.ping()
    initialize, *later = server.requests
    assert "mcp-protocol-version" not in initialize.headers and "mcp-session-id" not in initialize.headers
    assert [item.verb for item in later] == ["POST", "POST", "DELETE"]
    for item in server.requests:
        assert item.headers["authorization"] == "Bearer secret"
    for item in later:
        assert item.headers["mcp-session-id"] == "session-1"
        assert item.headers["mcp-protocol-version"] == "2025-03-26"
    assert "application/json" in initialize.headers["accept"] and "text/event-stream" in initialize.headers["accept"]


def test_unsupported_version_is_refused():
    with FakeMcpServer(version="2099-01-01") as server:
        session = session_for(server)
        with pytest.raises(McpProtocolError) as caught:
            session.initialize()
        session.close()
    assert "2099-01-01" in caught.value.message
    assert not server.seen("notifications/initialized")


def test_stateless_server_needs_no_session():
    with FakeMcpServer(stateless=True) as server, session_for(server) as session:
        assert session.session_id is None
        assert session.call_tool("x").text == "called x"
    assert "mcp-session-id" not in server.requests[-1].headers
    assert [item.verb for item in server.requests] == ["POST", "POST", "POST"]  # no DELETE without a session


def test_delete_405_is_ignored():
    with FakeMcpServer(delete_status=405) as server, session_for(server) as session:
        session.ping()
    assert server.requests[-1].verb == "DELETE"


def test_broken_stream_resumes_with_last_event_id():
    progress = []
    with FakeMcpServer() as server, session_for(server) as session:
        result = session.call_tool("resumable", progress=lambda *args: progress.append(args))
    assert result.text == "called resumable"
    assert progress == [(1, 2, None)]
    resume = [item for item in server.requests if item.verb == "GET"]
    assert [item.headers.get("last-event-id") for item in resume] == ["1"]
    assert "text/event-stream" in resume[0].headers["accept"]


def test_session_expiry_reinitializes_once():
    with FakeMcpServer() as server, session_for(server) as session:
        server.expire()
        assert session.call_tool("again").text == "called again"
        assert session.session_id == "session-2"
    assert server.sessions_started == 2
    assert len(server.seen("notifications/initialized")) == 2


def test_second_expiry_in_a_row_is_an_error():
    with FakeMcpServer() as server, session_for(server) as session:
        original = server.new_session
        server.new_session = lambda: (original(), server.expire())[0]  # every new session dies at once
        server.expire()
        with pytest.raises(McpConnectionError) as caught:
            session.ping()
    assert caught.value.status == 404
    assert server.sessions_started == 2


def test_invalid_params_error_is_typed():
    with FakeMcpServer() as server, session_for(server) as session:
        with pytest.raises(McpInvalidParams) as caught:
            session.call_tool("missing")
    assert caught.value.code == -32602 and caught.value.data == {"name": "missing"}


def test_hanging_request_times_out_and_is_cancelled():
    with FakeMcpServer() as server, session_for(server) as session:
        started = time.monotonic()
        with pytest.raises(McpTimeout):
            session.call_tool("hang", timeout=0.3)
        elapsed = time.monotonic() - started
        call_id = server.seen("tools/call")[0].message["id"]
        cancelled = server.seen("notifications/cancelled")
    assert 0.25 < elapsed < 2.0
    assert [item.message["params"]["requestId"] for item in cancelled] == [call_id]
    assert "timed out" in cancelled[0].message["params"]["reason"]


def test_unreachable_server_is_a_connection_error():
    with FakeMcpServer() as server:
        url = server.url
    session = McpSession(make_config(url, timeout=2))
    with pytest.raises(McpConnectionError) as caught:
        session.initialize()
    session.close()
    assert caught.value.message
