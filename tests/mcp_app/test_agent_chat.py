"""An agent-chat app calls an MCP tool through the model's function calls and answers with its result."""
from __future__ import annotations

import pytest

from tests.factories import auth_headers, make_app, passport
from tests.support.fake_openai import Reply
from tests.support.openapi import assert_matches_document
from tests.support.sse import frames


@pytest.fixture
def app_overrides(upstream):
    return {"MCP_ALLOW_LOOPBACK": True, "OPENAI_API_BASE": upstream.base_url, "OPENAI_API_KEY": "sk-test"}


def test_agent_thoughts_then_the_final_answer(app, client, runner, upstream, mcp_url):
    code = make_app(app, mode="agent-chat", pre_prompt="Use tools.")["code"]
    assert runner.invoke(args=["mcp", "add", code, "calc", mcp_url]).exit_code == 0
    upstream.script(Reply(tool_calls=[{"name": "add", "arguments": {"a": 2, "b": 3}}]),
                    Reply(text="The sum is 5.", chunk_size=4))
    token = passport(client, code)
    response = client.post("/api/chat-messages", headers=auth_headers(code, token),
                           json={"inputs": {}, "query": "2+3?", "response_mode": "streaming"})
    got = [f.data for f in frames([response.data]) if f.data]
    assert_matches_document(client, "/api/chat-messages", "POST", response)
    thoughts = [e for e in got if e["event"] == "agent_thought"]
    assert [t["tool"] for t in thoughts] == ["add", "add"] and thoughts[0]["id"] == thoughts[1]["id"]
    assert thoughts[0]["observation"] == "" and thoughts[1]["observation"] == "5"
    assert '"a": 2' in thoughts[0]["tool_input"] or '"a":2' in thoughts[0]["tool_input"]
    answer = "".join(e["answer"] for e in got if e["event"] == "agent_message")
    assert answer == "The sum is 5." and got[-1]["event"] == "message_end"
    offered = upstream.requests[0].body["tools"]
    assert {t["function"]["name"] for t in offered} >= {"add", "echo"}
    tool_message = upstream.requests[1].body["messages"][-1]
    assert tool_message["role"] == "tool" and tool_message["content"] == "5"
    messages = client.get("/api/messages", query_string={"conversation_id": got[0]["conversation_id"]},
                          headers=auth_headers(code, token))
    assert_matches_document(client, "/api/messages", "GET", messages)
    listed = messages.get_json()["data"][0]
    assert listed["answer"] == "The sum is 5." and listed["agent_thoughts"][0]["observation"] == "5"
