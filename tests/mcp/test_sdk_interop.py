"""Our client against the official SDK's server on all three wires: stateful, stateless JSON, legacy SSE."""
from __future__ import annotations

import threading
import time

import pytest

from core.mcp import McpMethodNotFound, McpTimeout, result_to_outputs, tool_to_openai_function

STREAMING_KINDS = ("stateful", "legacy_sse")  # the ones that can carry notifications with a reply


def test_handshake(open_session, sdk_kind, sdk_url):
    session = open_session(sdk_url)
    assert session.server_info["name"] == "llm-web-api-test"
    assert session.protocol_version == "2025-11-25"
    assert "tools" in session.capabilities
    assert session.transport_name == ("sse" if sdk_kind == "legacy_sse" else "streamable")
    assert (session.session_id is not None) == (sdk_kind == "stateful")
    session.ping()


def test_list_and_call_tools(open_session, sdk_url):
    session = open_session(sdk_url)
    tools = {tool["name"]: tool for tool in session.list_tools()}
    assert {"add", "echo", "slow_progress", "fail", "weather"} <= set(tools)
    function = tool_to_openai_function(tools["add"])["function"]
    assert function["name"] == "add" and set(function["parameters"]["properties"]) == {"a", "b"}
    result = session.call_tool("add", {"a": 2, "b": 40})
    assert (result.text, result.is_error, result.structured_content) == ("42", False, {"result": 42})


def test_non_ascii_round_trip(open_session, sdk_url):
    text = "héllo 世界 👋"
    assert open_session(sdk_url).call_tool("echo", {"text": text}).text == text


def test_error_result_is_not_an_exception(open_session, sdk_url):
    result = open_session(sdk_url).call_tool("fail")
    assert result.is_error
    assert "always fails" in result.text


def test_structured_content_outputs(open_session, sdk_url):
    outputs = result_to_outputs(open_session(sdk_url).call_tool("weather", {"city": "Paris"}))
    assert outputs["json"] == [{"city": "Paris", "temperature": 21.5, "conditions": "sunny"}]
    assert outputs["files"] == []


@pytest.mark.parametrize("sdk_kind", STREAMING_KINDS)
def test_progress_and_logs_arrive_before_result(open_session, sdk_url):
    events = []
    session = open_session(sdk_url, on_log=lambda params: events.append(("log", params["data"])))
    result = session.call_tool("slow_progress", {"steps": 3},
                               progress=lambda done, total, message: events.append(("progress", done, total)))
    assert result.text == "done"
    assert events == [("progress", 1, 3), ("log", "step 1 of 3"), ("progress", 2, 3), ("log", "step 2 of 3"),
                      ("progress", 3, 3), ("log", "step 3 of 3")]


def test_progress_callback_without_streaming_still_returns(open_session, stateless_json_url):
    calls = []
    result = open_session(stateless_json_url).call_tool("slow_progress", {"steps": 2}, progress=calls.append)
    assert result.text == "done"  # a JSON reply carries no notifications


def test_resources_and_prompts(open_session, sdk_url):
    session = open_session(sdk_url)
    assert [item["uri"] for item in session.list_resources()] == ["info://about"]
    assert session.list_resource_templates()[0]["uriTemplate"] == "greeting://{name}"
    assert session.read_resource("greeting://Zoë")[0]["text"] == "Hello, Zoë!"
    assert session.list_prompts()[0]["name"] == "review"
    prompt = session.get_prompt("review", {"code": "x = 1"})
    assert "x = 1" in prompt["messages"][0]["content"]["text"]


def test_unknown_method_is_typed(open_session, sdk_url):
    with pytest.raises(McpMethodNotFound) as caught:
        open_session(sdk_url).request("no/such/method")
    assert caught.value.code == -32601 and caught.value.message


def test_timeout_then_session_still_usable(open_session, sdk_url):
    session = open_session(sdk_url)
    started = time.monotonic()
    with pytest.raises(McpTimeout) as caught:
        session.call_tool("sleep", {"seconds": 0.8}, timeout=0.2)
    assert time.monotonic() - started < 0.7
    assert "timed out" in caught.value.message
    assert session.call_tool("add", {"a": 1, "b": 1}).text == "2"


@pytest.mark.parametrize("sdk_kind", STREAMING_KINDS)
def test_parallel_calls_from_threads(open_session, sdk_url):
    session = open_session(sdk_url)
    results: list = []
    workers = [threading.Thread(target=lambda: results.append(session.call_tool("sleep", {"seconds": 0.3})))
               for _ in range(4)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=10)
    assert [result.text for result in results] == ["slept"] * 4
    assert time.monotonic() - started < 1.0  # overlapped, not 1.2 s in a row
