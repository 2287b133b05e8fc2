"""Stop, disconnect, upstream failures, concurrency limit and cache: nothing the client saw is lost."""
from __future__ import annotations

import time

import pytest

from api.extensions import db
from models import Conversation, Message
from tests.factories import auth_headers, form_config, make_app, passport
from tests.support.fake_openai import Reply
from tests.support.sse import frames


def _start(client, code, token, query="go", path="/api/chat-messages", **body):
    payload = {"inputs": {}, "query": query, "response_mode": "streaming", **body}
    return client.post(path, headers=auth_headers(code, token), json=payload, buffered=False)


def _read(response, count=None):
    """Read frames from a live response; stop after `count` data frames when given."""
    got = []
    for frame in frames(response.response):
        got.append(frame)
        if count is not None and len([f for f in got if f.data]) >= count:
            break
    return got


def _answer(got) -> str:
    return "".join(f.data["answer"] for f in got if f.data and f.data["event"] == "message")


def _stored(app, message_id):
    with app.app_context():
        message = db.session.get(Message, message_id)
        return None if message is None else (message.answer, message.status, message.error)


def test_stop_from_a_second_client_saves_the_partial_answer(app, client, upstream):
    upstream.script(Reply(text="x" * 200, chunk_size=2, pace=0.05))
    code = make_app(app)["code"]
    token = passport(client, code)
    response = _start(client, code, token)
    seen = _read(response, count=3)
    task_id = seen[0].data["task_id"]
    stopped_at = time.monotonic()
    assert client.post(f"/api/chat-messages/{task_id}/stop", headers=auth_headers(code, token)).get_json() == {
        "result": "success"}
    seen += _read(response)
    assert time.monotonic() - stopped_at < 1.5
    assert seen[-1].data["event"] == "message_end" and seen[-1].data["metadata"]["stopped_by"] == "user"
    answer = _answer(seen)
    assert 0 < len(answer) < 200
    assert _stored(app, seen[0].data["id"]) == (answer, "stopped", "Stopped by user.")
    assert upstream.wait_for_disconnect(timeout=2)


def test_stop_by_another_user_has_no_effect(app, client, upstream):
    upstream.script(Reply(text="y" * 40, chunk_size=4, pace=0.02))
    code = make_app(app)["code"]
    owner, intruder = passport(client, code), passport(client, code)
    response = _start(client, code, owner)
    seen = _read(response, count=1)
    stop = client.post(f"/api/chat-messages/{seen[0].data['task_id']}/stop", headers=auth_headers(code, intruder))
    assert stop.get_json() == {"result": "success"}
    seen += _read(response)
    assert _answer(seen) == "y" * 40 and _stored(app, seen[0].data["id"])[1] == "normal"


def test_client_disconnect_stops_upstream_and_saves_partial(app, client, upstream):
    upstream.script(Reply(text="z" * 400, chunk_size=2, pace=0.03))
    code = make_app(app)["code"]
    response = _start(client, code, passport(client, code))
    seen = _read(response, count=3)
    response.close()
    assert upstream.wait_for_disconnect(timeout=3)
    message_id = seen[0].data["id"]
    deadline = time.monotonic() + 3
    while _stored(app, message_id)[1] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    answer, status, _ = _stored(app, message_id)
    assert status == "stopped" and answer.startswith(_answer(seen)) and len(answer) < 400


@pytest.mark.parametrize("reply, message", [
    (Reply(status=401, error_message="bad key"), "Incorrect API key provided"),
    (Reply(status=400, error_message="context too long"), "context too long"),
])
def test_failure_before_first_byte_is_a_json_error_and_leaves_nothing(app, client, upstream, reply, message):
    upstream.script(reply)
    code = make_app(app)["code"]
    response = _start(client, code, passport(client, code))
    body = response.get_json()
    assert response.status_code == 400 and body["code"] == "completion_request_error"
    assert message in body["message"]
    with app.app_context():
        assert db.session.execute(db.select(Message)).first() is None
        assert db.session.execute(db.select(Conversation)).first() is None


def test_rate_limited_upstream_is_retried_then_reported(app, client, upstream):
    upstream.script(*[Reply(status=429, error_message="slow down")] * 3)
    code = make_app(app)["code"]
    response = _start(client, code, passport(client, code))
    assert response.status_code == 400 and "Rate limit" in response.get_json()["message"]
    assert len(upstream.requests) == 3


def test_failure_mid_stream_is_an_error_event_and_keeps_the_partial(app, client, upstream):
    upstream.script(Reply(text="partial answer that breaks", chunk_size=3, drop_after=3))
    code = make_app(app)["code"]
    seen = _read(_start(client, code, passport(client, code)))
    error = seen[-1].data
    assert error["event"] == "error" and error["status"] == 400 and error["code"] == "completion_request_error"
    answer = _answer(seen)
    assert answer == "partial answer that breaks"[:9]
    stored = _stored(app, seen[0].data["id"])
    assert stored[0] == answer and stored[1] == "error" and "Connection" in stored[2]


def test_concurrency_limit_answers_429_and_frees_the_slot(app, client, upstream):
    upstream.script(Reply(text="a" * 40, chunk_size=2, pace=0.03), Reply(text="second"))
    code = make_app(app, max_active_requests=1)["code"]
    token = passport(client, code)
    first = _start(client, code, token)
    _read(first, count=1)
    refused = _start(client, code, token)
    assert refused.status_code == 429 and refused.get_json()["code"] == "too_many_requests"
    assert refused.headers["Retry-After"] == "5"
    _read(first)
    assert _answer(_read(_start(client, code, token))) == "second"


def test_completion_cache_replays_the_same_events(app, client, upstream):
    upstream.script(Reply(text="cached poem", chunk_size=3))
    code = make_app(app, mode="completion", model_config=form_config("Poem on {{topic}}", "topic"),
                    settings={"completion_cache": {"enabled": True}})["code"]
    token = passport(client, code)
    runs = [_read(_start(client, code, token, path="/api/completion-messages", inputs={"topic": "sea"}))
            for _ in range(2)]
    assert len(upstream.requests) == 1
    first, second = ([f.data["answer"] for f in run if f.data["event"] == "message"] for run in runs)
    assert first == second == ["cac", "hed", " po", "em"]
    assert runs[1][-1].data["metadata"]["cached"] is True and "cached" not in runs[0][-1].data["metadata"]
    other = _read(_start(client, code, token, path="/api/completion-messages", inputs={"topic": "sky"}))
    assert len(upstream.requests) == 2 and _answer(other)
    with app.app_context():
        assert len(db.session.execute(db.select(Message)).all()) == 3
