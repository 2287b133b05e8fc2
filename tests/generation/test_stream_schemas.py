"""Real SSE and blocking answers match /api/openapi.json, frame by frame (spec §3, §4)."""
from __future__ import annotations

import json

import pytest
from schemathesis.openapi.checks import JsonSchemaError

from tests.factories import auth_headers, make_app, passport
from tests.support.openapi import assert_matches_document
from tests.support.sse import frames


def _post(client, code, path, **body):
    return client.post(path, headers=auth_headers(code, passport(client, code)),
                       json={"inputs": {}, "query": "hello", **body})


def test_a_streamed_chat_and_its_blocking_twin_match_the_document(app, client):
    code = make_app(app)["code"]
    streamed = _post(client, code, "/api/chat-messages", response_mode="streaming")
    assert [f.data["event"] for f in frames([streamed.data]) if f.data][-1] == "message_end"
    assert_matches_document(client, "/api/chat-messages", "POST", streamed)
    blocking = _post(client, code, "/api/chat-messages", response_mode="blocking")
    assert blocking.status_code == 200 and blocking.get_json()["answer"]
    assert_matches_document(client, "/api/chat-messages", "POST", blocking)


def test_a_completion_stream_and_its_replay_match_the_document(app, client):
    code = make_app(app, "completion")["code"]
    token = passport(client, code)
    streamed = client.post("/api/completion-messages", headers=auth_headers(code, token),
                           json={"inputs": {}, "query": "hello", "response_mode": "streaming"})
    events = [f.data for f in frames([streamed.data]) if f.data]
    assert events[-1]["event"] == "message_end" and "conversation_id" not in events[-1]
    assert_matches_document(client, "/api/completion-messages", "POST", streamed)
    replay = client.get(f"/api/chat-messages/{events[0]['task_id']}/events", headers=auth_headers(code, token),
                        query_string={"last_event_id": "0"})
    assert [f.data for f in frames([replay.data]) if f.data] == events
    assert_matches_document(client, "/api/chat-messages/{task_id}/events", "GET", replay)


def test_a_frame_that_breaks_its_event_schema_is_caught(app, client):
    """The SSE check is real: one extra key in one frame's JSON fails validation."""
    code = make_app(app)["code"]
    response = _post(client, code, "/api/chat-messages", response_mode="streaming")
    first = next(f for f in frames([response.data]) if f.data)
    original = json.dumps(first.data, ensure_ascii=False, separators=(",", ":"))
    response.set_data(response.get_data(as_text=True).replace(original, original[:-1] + ',"surprise":1}', 1))
    with pytest.raises(JsonSchemaError, match="surprise"):
        assert_matches_document(client, "/api/chat-messages", "POST", response)
