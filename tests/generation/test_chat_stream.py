"""Streaming and blocking chat against the loopback upstream: what the client sees is what is stored."""
from __future__ import annotations

import pytest

from api.extensions import db
from models import Conversation, Message
from tests.factories import auth_headers, form_config, make_app, passport
from tests.support.fake_openai import Reply
from tests.support.sse import frames, rechunk


def _chat(client, code, token, query, **body):
    return client.post("/api/chat-messages", headers=auth_headers(code, token), buffered=True,
                       json={"inputs": {}, "query": query, "response_mode": "streaming", **body})


@pytest.mark.parametrize("piece", [1, 3, 7, 64])
def test_streamed_answer_parses_at_any_split_and_is_stored(app, client, upstream, piece):
    upstream.script(Reply(text="Grüße, 世界! 👋 fine", chunk_size=2))
    code = make_app(app)["code"]
    token = passport(client, code)
    response = _chat(client, code, token, "hello")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    got = list(frames(rechunk(response.data, piece)))
    messages = [f for f in got if f.name == "message"]
    assert "".join(f.data["answer"] for f in messages) == "Grüße, 世界! 👋 fine"
    end = got[-1].data
    assert end["event"] == "message_end" and end["metadata"]["usage"]["total_tokens"] > 0
    first = messages[0].data
    assert first["conversation_id"] and first["task_id"] and first["id"] == first["message_id"]
    assert all(f.event_id.startswith(first["task_id"] + ":") for f in got)
    assert [int(f.event_id.split(":")[1]) for f in got] == list(range(1, len(got) + 1))
    with app.app_context():
        stored = db.session.get(Message, first["id"])
        assert stored.answer == "Grüße, 世界! 👋 fine" and stored.status == "normal"
        assert db.session.get(Conversation, first["conversation_id"]).name == "hello"


def test_second_turn_continues_the_conversation_with_memory(app, client, upstream):
    upstream.script(Reply(text="Hi Ann"), Reply(text="You are Ann"))
    code = make_app(app, pre_prompt="Be brief.")["code"]
    token = passport(client, code)
    first = [f.data for f in frames([_chat(client, code, token, "I am Ann").data]) if f.data]
    conversation_id = first[0]["conversation_id"]
    second = [f.data for f in frames([_chat(client, code, token, "Who am I?",
                                            conversation_id=conversation_id).data]) if f.data]
    assert second[0]["conversation_id"] == conversation_id
    sent = upstream.requests[-1].body["messages"]
    assert sent == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "I am Ann"},
                    {"role": "assistant", "content": "Hi Ann"}, {"role": "user", "content": "Who am I?"}]


def test_blocking_chat_returns_the_whole_answer(app, client, upstream):
    upstream.script(Reply(text="whole answer"))
    code = make_app(app)["code"]
    token = passport(client, code)
    response = client.post("/api/chat-messages", headers=auth_headers(code, token),
                           json={"inputs": {}, "query": "q", "response_mode": "blocking"})
    body = response.get_json()
    assert response.status_code == 200 and body["answer"] == "whole answer" and body["mode"] == "chat"
    assert body["event"] == "message" and body["id"] == body["message_id"] and body["conversation_id"]
    assert "usage" not in body["metadata"]


def test_completion_streams_without_conversation(app, client, upstream):
    upstream.script(Reply(text="A poem about cats"))
    code = make_app(app, mode="completion", model_config=form_config("Write about {{topic}}", "topic"))["code"]
    token = passport(client, code)
    response = client.post("/api/completion-messages", headers=auth_headers(code, token),
                           json={"inputs": {"topic": "cats"}, "response_mode": "streaming"})
    got = [f.data for f in frames([response.data]) if f.data]
    assert "".join(e["answer"] for e in got if e["event"] == "message") == "A poem about cats"
    assert "conversation_id" not in got[0]
    assert upstream.requests[-1].body["messages"][-1]["content"] == "Write about cats"


@pytest.mark.parametrize("app_overrides", [{"PING_INTERVAL_SECONDS": 0.2}])
def test_silence_is_filled_with_ping_frames(app, client, upstream, app_overrides):
    upstream.script(Reply(chunks=["a", "b"], pace=0.5, first_byte_delay=0.5))
    app.config.update(OPENAI_API_BASE=upstream.base_url, OPENAI_API_KEY="sk-test")
    code = make_app(app)["code"]
    response = _chat(client, code, passport(client, code), "q")
    assert b"\n\nevent: ping\n\n" in b"\n\n" + response.data
    got = list(frames([response.data]))
    assert got[0].event == "ping", "a slow first token starts the stream with a ping"
    assert [f.name for f in got if f.data] == ["message", "message", "message_end"]
    assert "".join(f.data["answer"] for f in got if f.name == "message") == "ab"


def test_more_like_this_regenerates_from_the_stored_message(app, client, upstream):
    upstream.script(Reply(text="first take"), Reply(text="second take"))
    config = form_config("Slogan for {{topic}}", "topic", more_like_this={"enabled": True})
    code = make_app(app, mode="completion", model_config=config)["code"]
    token = passport(client, code)
    first = client.post("/api/completion-messages", headers=auth_headers(code, token),
                        json={"inputs": {"topic": "tea"}, "response_mode": "blocking"}).get_json()
    again = client.get(f"/api/messages/{first['id']}/more-like-this", query_string={"response_mode": "blocking"},
                       headers=auth_headers(code, token))
    body = again.get_json()
    assert again.status_code == 200 and body["answer"] == "second take" and body["id"] != first["id"]
    assert upstream.requests[-1].body["messages"] == upstream.requests[0].body["messages"]
    missing_mode = client.get(f"/api/messages/{first['id']}/more-like-this", headers=auth_headers(code, token))
    assert missing_mode.status_code == 400 and missing_mode.get_json()["code"] == "invalid_param"
    other = passport(client, code)
    foreign = client.get(f"/api/messages/{first['id']}/more-like-this", query_string={"response_mode": "blocking"},
                         headers=auth_headers(code, other))
    assert foreign.status_code == 404 and foreign.get_json()["message"] == "Message Not Exists."


def test_more_like_this_disabled_is_403(app, client, upstream):
    upstream.script(Reply(text="only"))
    code = make_app(app, mode="completion", model_config=form_config("Hi", "topic"))["code"]
    token = passport(client, code)
    first = client.post("/api/completion-messages", headers=auth_headers(code, token),
                        json={"inputs": {"topic": "x"}, "response_mode": "blocking"}).get_json()
    response = client.get(f"/api/messages/{first['id']}/more-like-this",
                          query_string={"response_mode": "blocking"}, headers=auth_headers(code, token))
    assert response.status_code == 403 and response.get_json()["code"] == "app_more_like_this_disabled"


def test_nul_from_upstream_is_cleaned_before_streaming_and_storing(app, client, upstream):
    upstream.script(Reply(chunks=["he\x00l", "lo \x00", "end"]))
    code = make_app(app)["code"]
    response = _chat(client, code, passport(client, code), "hi")
    got = [f for f in frames([response.data]) if f.data]
    assert got[-1].name == "message_end", [f.data for f in got]
    answer = "".join(f.data["answer"] for f in got if f.name == "message")
    assert answer == "hello end"
    with app.app_context():
        assert db.session.get(Message, got[0].data["id"]).answer == answer
