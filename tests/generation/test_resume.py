"""Resuming a dropped chat stream through /api/chat-messages/<task_id>/events (spec Decisions)."""
from __future__ import annotations

import pytest

from tests.factories import auth_headers, make_app, passport
from tests.support.fake_openai import Reply
from tests.support.sse import frames


@pytest.fixture
def app_overrides(upstream):
    return {"OPENAI_API_BASE": upstream.base_url, "OPENAI_API_KEY": "sk-test", "STREAM_RESUME_GRACE_SECONDS": 5.0}


def test_resume_after_drop_loses_and_duplicates_nothing(app, client, upstream):
    text = "".join(f"w{i} " for i in range(60))
    upstream.script(Reply(text=text, chunk_size=3, pace=0.02))
    code = make_app(app)["code"]
    token = passport(client, code)
    response = client.post("/api/chat-messages", headers=auth_headers(code, token), buffered=False,
                           json={"inputs": {}, "query": "q", "response_mode": "streaming"})
    before = []
    for frame in frames(response.response):
        before.append(frame)
        if len(before) == 4:
            break
    response.close()
    task_id, last_id = before[0].data["task_id"], before[-1].event_id
    resumed = client.get(f"/api/chat-messages/{task_id}/events",
                         headers={**auth_headers(code, token), "Last-Event-ID": last_id})
    after = [f for f in frames([resumed.data]) if f.data]
    seqs = [int(f.event_id.split(":")[1]) for f in before + after]
    assert seqs == list(range(1, len(seqs) + 1))
    answer = "".join(f.data["answer"] for f in before + after if f.data["event"] == "message")
    assert answer == text and after[-1].data["event"] == "message_end"
    replay_all = client.get(f"/api/chat-messages/{task_id}/events", query_string={"last_event_id": "0"},
                            headers=auth_headers(code, token))
    assert len([f for f in frames([replay_all.data]) if f.data]) == len(seqs)


def test_resume_of_another_users_task_is_404(app, client, upstream):
    upstream.script(Reply(text="secret"))
    code = make_app(app)["code"]
    owner, other = passport(client, code), passport(client, code)
    done = client.post("/api/chat-messages", headers=auth_headers(code, owner),
                       json={"inputs": {}, "query": "q", "response_mode": "streaming"})
    task_id = next(f for f in frames([done.data]) if f.data).data["task_id"]
    response = client.get(f"/api/chat-messages/{task_id}/events", headers=auth_headers(code, other))
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"
    unknown = client.get("/api/chat-messages/nope/events", headers=auth_headers(code, owner))
    assert unknown.status_code == 404
