"""Legacy HTTP+SSE and the auto fallback, against the hand-rolled fake server."""
from __future__ import annotations

import threading
import time

import pytest

from core.mcp import McpConnectionError, McpProtocolError, McpSession, McpTimeout
from tests.mcp.conftest import make_config
from tests.mcp.fake_server import FakeMcpServer


@pytest.mark.parametrize("status", [400, 404, 405])
def test_auto_falls_back_on_4xx(status):
    with FakeMcpServer(post_status=status) as server:
        with McpSession(make_config(server.url.replace("/mcp", "/prefix/sse"))) as session:
            assert session.transport_name == "sse"
            assert session.call_tool("x").text == "called x"
    verbs = [(item.verb, item.path) for item in server.requests]
    assert verbs[:3] == [("POST", "/prefix/sse"), ("GET", "/prefix/sse"), ("POST", "/prefix/messages?sid=abc")]


def test_other_statuses_do_not_fall_back():
    with FakeMcpServer(post_status=401) as server:
        session = McpSession(make_config(server.url))
        with pytest.raises(McpConnectionError) as caught:
            session.initialize()
        session.close()
    assert caught.value.status == 401 and "401" in caught.value.message
    assert [item.verb for item in server.requests] == ["POST"]


def test_relative_endpoint_keeps_the_path_prefix():
    with FakeMcpServer() as server, McpSession(make_config(server.sse_url, transport="sse")) as session:
        assert session.protocol_version == "2025-11-25"
        session.ping()
    posts = [item.path for item in server.requests if item.verb == "POST"]
    assert posts == ["/prefix/messages?sid=abc"] * 3  # initialize, initialized, ping


def test_endpoint_on_another_origin_is_refused():
    with FakeMcpServer(endpoint="http://169.254.169.254/latest") as server:
        session = McpSession(make_config(server.sse_url, transport="sse"))
        with pytest.raises(McpProtocolError) as caught:
            session.initialize()
        session.close()
    assert "another origin" in caught.value.message


def test_hanging_request_times_out_and_is_cancelled():
    with FakeMcpServer() as server, McpSession(make_config(server.sse_url, transport="sse")) as session:
        with pytest.raises(McpTimeout):
            session.call_tool("hang", timeout=0.3)
        cancelled = server.seen("notifications/cancelled")
        call_id = server.seen("tools/call")[0].message["id"]
        assert [item.message["params"]["requestId"] for item in cancelled] == [call_id]
        assert session.call_tool("after").text == "called after"


def test_stream_end_fails_waiting_and_later_requests():
    with FakeMcpServer() as server, McpSession(make_config(server.sse_url, transport="sse")) as session:
        errors = []

        def call() -> None:
            try:
                session.call_tool("hang", timeout=5)
            except McpConnectionError as exc:
                errors.append(exc)

        caller = threading.Thread(target=call)
        caller.start()
        deadline = time.monotonic() + 5
        while not server.seen("tools/call") and time.monotonic() < deadline:
            time.sleep(0.01)
        server.outbox.put(None)  # the server ends its stream
        caller.join(timeout=5)
        assert errors and "closed" in errors[0].message
        with pytest.raises(McpConnectionError):
            session.ping()
