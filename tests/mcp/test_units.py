"""Unit tests: SSE parsing, message routing, error mapping and the app-side conversions."""
from __future__ import annotations

import pytest

from core.mcp import (
    McpError,
    McpInvalidParams,
    McpMethodNotFound,
    ServerConfig,
    ToolResult,
    result_to_outputs,
    tool_to_openai_function,
)
from core.mcp.errors import error_from_response
from core.mcp.router import Handlers, MessageRouter
from core.mcp.sse import iter_events


def test_sse_events_fields_and_pieces():
    body = "id: 7\nretry: 1500\ndata: {\"a\":\ndata:  1}\n\n: comment\nevent: endpoint\ndata: /x?y=é\n\nid: 8\n\n"
    raw = body.encode()
    pieces = [raw[i:i + 3] for i in range(0, len(raw), 3)]  # é split across pieces
    events = list(iter_events(pieces))
    assert [(e.event, e.data, e.id, e.retry) for e in events] == [
        ("message", '{"a":\n 1}', "7", 1.5), ("endpoint", "/x?y=é", None, None), ("message", "", "8", None)]


def test_sse_unterminated_event_is_dropped():
    assert list(iter_events([b"data: half"])) == []


def test_router_dispatch():
    seen = []
    router = MessageRouter(Handlers(on_progress=lambda p: seen.append(("orphan", p["progress"])),
                                    on_log=lambda p: seen.append(("log", p["data"])),
                                    on_notification=lambda m, p: seen.append((m, p))))
    router.watch_progress("t", lambda done, total, message: seen.append(("progress", done, total, message)))
    replies = []
    router.deliver([
        {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": "t", "progress": 1}},
        {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": "u", "progress": 2}},
        {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "hi"}},
        {"jsonrpc": "2.0", "method": "notifications/tools/list_changed"},
        {"jsonrpc": "2.0", "id": "s1", "method": "ping"},
        {"jsonrpc": "2.0", "id": "s2", "method": "sampling/createMessage", "params": {}},
    ], replies.append)
    assert seen == [("progress", 1, None, None), ("orphan", 2), ("log", "hi"),
                    ("notifications/tools/list_changed", {})]
    assert replies[0] == {"jsonrpc": "2.0", "id": "s1", "result": {}}
    assert replies[1]["id"] == "s2" and replies[1]["error"]["code"] == -32601


def test_router_survives_failing_callback():
    def broken(method, params):
        raise RuntimeError("bug")

    router = MessageRouter(Handlers(on_notification=broken))
    router.deliver({"jsonrpc": "2.0", "method": "notifications/x"}, lambda reply: None)  # no exception


def test_router_resolves_waiters():
    router = MessageRouter()
    waiter = router.expect(5)
    router.deliver({"jsonrpc": "2.0", "id": 5, "result": {"ok": True}}, lambda reply: None)
    assert waiter.wait(1) == {"jsonrpc": "2.0", "id": 5, "result": {"ok": True}}


@pytest.mark.parametrize("code, kind", [(-32601, McpMethodNotFound), (-32602, McpInvalidParams), (-1, McpError)])
def test_error_mapping(code, kind):
    error = error_from_response({"code": code, "message": "nope", "data": [1]})
    assert type(error) is kind and (error.code, error.message, error.data) == (code, "nope", [1])
    assert "nope" in str(error)


def test_config_validation():
    with pytest.raises(ValueError):
        ServerConfig("http://x", transport="websocket")
    assert ServerConfig("http://x", timeout=3).connect_timeout == 3


def test_tool_to_openai_function():
    tool = {"name": "get weather.now", "description": "Weather", "inputSchema": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
    assert tool_to_openai_function(tool) == {"type": "function", "function": {
        "name": "get_weather_now", "description": "Weather", "parameters": tool["inputSchema"]}}
    bare = tool_to_openai_function({"name": "x" * 80})["function"]
    assert bare["parameters"] == {"type": "object", "properties": {}} and len(bare["name"]) == 64


def test_result_to_outputs_mixed_blocks():
    image = {"type": "image", "data": "aGk=", "mimeType": "image/png"}
    resource = {"type": "resource", "resource": {"uri": "file:///a.txt", "mimeType": "text/plain", "text": "a"}}
    result = {"content": [{"type": "text", "text": "Hello, "}, image, {"type": "text", "text": "world"},
                          {"type": "text", "text": '{"k": [1, 2]}'}, resource], "isError": False}
    outputs = result_to_outputs(result)
    assert outputs == {"text": 'Hello, world{"k": [1, 2]}', "json": [{"k": [1, 2]}], "files": [image, resource]}


def test_result_to_outputs_prefers_structured_content():
    result = ToolResult(content=[{"type": "text", "text": '{"a": 1}'}], structured_content={"a": 1})
    assert result_to_outputs(result)["json"] == [{"a": 1}]
    assert ToolResult.from_result(result.to_dict()) == result
