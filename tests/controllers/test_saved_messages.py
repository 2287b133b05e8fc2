"""Saved messages of completion apps (spec §2.4), ownership on every route."""
from __future__ import annotations

import pytest

from tests.factories import auth_headers, end_user_id, make_app, make_conversation, passport

pytestmark = pytest.mark.embedded


def _error(response, status: int, code: str, message: str | None = None) -> None:
    body = response.get_json()
    assert response.status_code == status and body["code"] == code and body["status"] == status, body
    if message is not None:
        assert message in body["message"], body


def _setup(app, client, mode: str = "completion", turns: int = 3):
    created = make_app(app, mode=mode)
    token = passport(client, created["code"])
    conversation = make_conversation(app, created["id"], end_user_id(token), turns=turns, mode=mode)
    return created, auth_headers(created["code"], token), conversation["message_ids"]


def _saved(client, headers, **query) -> dict:
    response = client.get("/api/saved-messages", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_save_list_newest_first_and_delete(app, client):
    _, headers, ids = _setup(app, client)
    for message_id in ids + ids[:1]:
        response = client.post("/api/saved-messages", headers=headers, json={"message_id": message_id})
        assert response.get_json() == {"result": "success"}
    client.post(f"/api/messages/{ids[2]}/feedbacks", headers=headers, json={"rating": "like"})
    first = _saved(client, headers, limit=2, last_id="")
    assert [m["id"] for m in first["data"]] == [ids[2], ids[1]] and first["has_more"] is True
    item = first["data"][0]
    assert set(item) == {"id", "inputs", "query", "answer", "message_files", "feedback", "created_at"}
    assert item["feedback"] == {"rating": "like"} and item["query"] == "q2" and item["message_files"] == []
    second = _saved(client, headers, limit=2, last_id=ids[1])
    assert [m["id"] for m in second["data"]] == [ids[0]] and second["has_more"] is False
    for _ in range(2):
        response = client.delete(f"/api/saved-messages/{ids[1]}", headers=headers)
        assert response.status_code == 204 and response.data == b""
    assert [m["id"] for m in _saved(client, headers)["data"]] == [ids[2], ids[0]]


def test_saved_messages_are_per_end_user(app, client):
    created, headers, ids = _setup(app, client)
    client.post("/api/saved-messages", headers=headers, json={"message_id": ids[0]})
    other = auth_headers(created["code"], passport(client, created["code"]))
    assert _saved(client, other)["data"] == []
    _error(client.post("/api/saved-messages", headers=other, json={"message_id": ids[1]}), 404, "not_found",
           "Message Not Exists.")
    _error(client.get("/api/saved-messages", headers=other, query_string={"last_id": ids[0]}), 400,
           "invalid_param")
    assert client.delete(f"/api/saved-messages/{ids[0]}", headers=other).status_code == 204
    assert [m["id"] for m in _saved(client, headers)["data"]] == [ids[0]]


def test_saved_messages_validation(app, client):
    _, headers, ids = _setup(app, client, turns=1)
    _error(client.post("/api/saved-messages", headers=headers, json={"message_id": "nope"}), 400, "invalid_param")
    _error(client.post("/api/saved-messages", headers=headers, json={}), 400, "invalid_param")
    _error(client.post("/api/saved-messages", headers=headers), 400, "bad_request")
    for query in ({"limit": 0}, {"limit": 101}, {"last_id": "nope"}, {"last_id": ids[0]}):
        _error(client.get("/api/saved-messages", headers=headers, query_string=query), 400, "invalid_param")


def test_saved_messages_need_a_completion_app(app, client):
    _, headers, ids = _setup(app, client, mode="chat", turns=1)
    for response in (client.get("/api/saved-messages", headers=headers),
                     client.post("/api/saved-messages", headers=headers, json={"message_id": ids[0]}),
                     client.delete(f"/api/saved-messages/{ids[0]}", headers=headers)):
        _error(response, 400, "not_completion_app")
