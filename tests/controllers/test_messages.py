"""Message history, feedback and suggested questions (spec §2.3), ownership on every route."""
from __future__ import annotations

import pytest

from api.extensions import db
from models import Message, MessageFeedback
from services import app_service
from tests.factories import auth_headers, end_user_id, make_app, make_conversation, passport
from tests.support.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.embedded


@pytest.fixture
def fake():
    with FakeOpenAI() as upstream:
        yield upstream


@pytest.fixture
def app_overrides(fake):
    return {"OPENAI_API_BASE": fake.base_url, "OPENAI_API_KEY": "sk-test"}


def _error(response, status: int, code: str, message: str | None = None) -> None:
    body = response.get_json()
    assert response.status_code == status and body["code"] == code and body["status"] == status, body
    if message is not None:
        assert message in body["message"], body


def _setup(app, client, mode: str = "chat", turns: int = 1, **fields):
    created = make_app(app, mode=mode, **fields)
    token = passport(client, created["code"])
    conversation = make_conversation(app, created["id"], end_user_id(token), turns=turns, mode=mode)
    return created, auth_headers(created["code"], token), conversation


def _messages(client, headers, **query) -> dict:
    response = client.get("/api/messages", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _suggesting_config() -> dict:
    config = app_service.easy_model_config("gpt-fake", "Be brief.")
    config["suggested_questions_after_answer"] = {"enabled": True}
    return config


def test_history_pages_backwards_and_each_page_is_oldest_first(app, client):
    _, headers, conversation = _setup(app, client, turns=5)
    ids = conversation["message_ids"]
    pages, first_id = [], ""
    while True:
        body = _messages(client, headers, conversation_id=conversation["id"], limit=2, first_id=first_id,
                         last_id="")
        pages.append(([m["id"] for m in body["data"]], body["has_more"]))
        if not body["has_more"]:
            break
        first_id = body["data"][0]["id"]
    assert pages == [(ids[3:5], True), (ids[1:3], True), (ids[0:1], False)]


def test_items_have_the_wire_shape_and_only_the_callers_feedback(app, client):
    created, headers, conversation = _setup(app, client)
    message_id = conversation["message_ids"][0]
    with app.app_context():
        message = db.session.get(Message, message_id)
        message.status, message.error = "error", "boom"
        message.message_metadata = {"retriever_resources": [{"position": 1}], "usage": {"total_tokens": 3}}
        stranger = end_user_id(passport(client, created["code"]))
        db.session.add(MessageFeedback(app_id=created["id"], message_id=message_id, rating="dislike",
                                       from_end_user_id=stranger))
        db.session.commit()
    item = _messages(client, headers, conversation_id=conversation["id"])["data"][0]
    assert item["feedback"] is None and item["query"] == "q0" and item["answer"] == "a0"
    assert item["retriever_resources"] == [{"position": 1}] and item["metadata"]["usage"] == {"total_tokens": 3}
    assert item["status"] == "error" and item["error"] == "boom" and isinstance(item["created_at"], int)
    assert item["agent_thoughts"] == [] and item["message_files"] == [] and item["parent_message_id"] is None
    client.post(f"/api/messages/{message_id}/feedbacks", headers=headers, json={"rating": "like"})
    assert _messages(client, headers, conversation_id=conversation["id"])["data"][0]["feedback"] == {
        "rating": "like"}


def test_history_errors(app, client):
    created, headers, conversation = _setup(app, client)
    _error(client.get("/api/messages", headers=headers), 400, "invalid_param")
    for query in ({"limit": 0}, {"limit": 101}, {"first_id": "x"}):
        response = client.get("/api/messages", headers=headers,
                              query_string={"conversation_id": conversation["id"], **query})
        _error(response, 400, "invalid_param")
    unknown = {"conversation_id": conversation["id"], "first_id": "00000000-0000-7000-8000-000000000000"}
    _error(client.get("/api/messages", headers=headers, query_string=unknown), 404, "not_found",
           "First Message Not Exists.")
    _, completion_headers, completion = _setup(app, client, mode="completion")
    _error(client.get("/api/messages", headers=completion_headers,
                      query_string={"conversation_id": completion["id"]}), 400, "not_chat_app")


def test_feedback_create_update_delete(app, client):
    created, headers, conversation = _setup(app, client)
    url = f"/api/messages/{conversation['message_ids'][0]}/feedbacks"
    _error(client.post(url, headers=headers, json={"rating": None}), 400, "invalid_param",
           "rating cannot be None when feedback not exists")
    _error(client.post(url, headers=headers, json={"rating": "meh"}), 400, "invalid_param")
    assert client.post(url, headers=headers, json={"rating": "like"}).get_json() == {"result": "success"}
    assert client.post(url, headers=headers, json={"rating": "dislike", "content": "wrong"}).status_code == 200
    with app.app_context():
        rows = db.session.scalars(db.select(MessageFeedback)).all()
        assert [(r.rating, r.content, r.from_source) for r in rows] == [("dislike", "wrong", "user")]
    assert client.post(url, headers=headers, json={"rating": None}).status_code == 200
    with app.app_context():
        assert db.session.scalars(db.select(MessageFeedback)).all() == []
    other = auth_headers(created["code"], passport(client, created["code"]))
    _error(client.post(url, headers=other, json={"rating": "like"}), 404, "not_found", "Message Not Exists.")


def test_feedback_works_in_completion_apps(app, client):
    _, headers, conversation = _setup(app, client, mode="completion")
    url = f"/api/messages/{conversation['message_ids'][0]}/feedbacks"
    assert client.post(url, headers=headers, json={"rating": "like"}).get_json() == {"result": "success"}


def test_suggested_questions_parse_the_models_json_array(app, client, fake):
    _, headers, conversation = _setup(app, client, turns=2, model_config=_suggesting_config())
    reply = '```json\n["What is A?", "Why B?", "How C?", "Extra?"]\n```'
    fake.script(Reply(text=reply))
    url = f"/api/messages/{conversation['message_ids'][1]}/suggested-questions"
    assert client.get(url, headers=headers).get_json() == {"data": ["What is A?", "Why B?", "How C?"]}
    sent = fake.last_request.body["messages"]
    assert [m["content"] for m in sent[1:]] == ["q0", "a0", "q1", "a1"]


def test_suggested_questions_of_an_advanced_chat_read_workflow_features(app, client, fake):
    workflow = {"graph": {"nodes": [], "edges": []},
                "features": {"suggested_questions_after_answer": {"enabled": True}}}
    _, headers, conversation = _setup(app, client, mode="advanced-chat", workflow=workflow)
    fake.script(Reply(text="1. First?\n- Second?\n"))
    url = f"/api/messages/{conversation['message_ids'][0]}/suggested-questions"
    assert client.get(url, headers=headers).get_json() == {"data": ["First?", "Second?"]}


def test_suggested_questions_errors(app, client, fake):
    created, headers, conversation = _setup(app, client)
    url = f"/api/messages/{conversation['message_ids'][0]}/suggested-questions"
    _error(client.get(url, headers=headers), 403, "app_suggested_questions_after_answer_disabled")
    _, headers, conversation = _setup(app, client, model_config=_suggesting_config())
    url = f"/api/messages/{conversation['message_ids'][0]}/suggested-questions"
    fake.script(Reply(status=400, error_message="bad prompt"))
    _error(client.get(url, headers=headers), 400, "completion_request_error", "bad prompt")
    other_app = auth_headers(created["code"], passport(client, created["code"]))
    _error(client.get(url, headers=other_app), 404, "not_found", "Message Not Exists.")
    _, completion_headers, completion = _setup(app, client, mode="completion")
    completion_url = f"/api/messages/{completion['message_ids'][0]}/suggested-questions"
    _error(client.get(completion_url, headers=completion_headers), 400, "not_completion_app")
    assert len(fake.requests) == 1


def test_suggested_questions_of_another_users_message_is_404(app, client):
    created, _, conversation = _setup(app, client, model_config=_suggesting_config())
    stranger = auth_headers(created["code"], passport(client, created["code"]))
    url = f"/api/messages/{conversation['message_ids'][0]}/suggested-questions"
    _error(client.get(url, headers=stranger), 404, "not_found", "Message Not Exists.")
