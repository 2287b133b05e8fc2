"""Conversation list, delete, rename, pin and unpin (spec §2.2), ownership on every route."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from api.extensions import db
from models import Conversation
from tests.factories import auth_headers, end_user_id, make_app, make_conversation, passport
from tests.support.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.embedded
BASE = datetime(2025, 1, 1)


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


def _caller(client, code: str) -> tuple[dict, str]:
    token = passport(client, code)
    return auth_headers(code, token), end_user_id(token)


def _setup(app, client, mode: str = "chat", **fields):
    created = make_app(app, mode=mode, **fields)
    headers, user = _caller(client, created["code"])
    return created, headers, user


def _list(client, headers, **query) -> dict:
    response = client.get("/api/conversations", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _set_times(app, times: dict[str, tuple[int, int]]) -> None:
    with app.app_context():
        for cid, (created, updated) in times.items():
            db.session.execute(sa.update(Conversation).where(Conversation.id == cid).values(
                created_at=BASE + timedelta(seconds=created), updated_at=BASE + timedelta(seconds=updated)))
        db.session.commit()


@pytest.mark.parametrize("sort_by", ["created_at", "-created_at", "updated_at", "-updated_at"])
def test_every_sort_order_pages_without_gaps_or_duplicates(app, client, sort_by):
    created, headers, user = _setup(app, client)
    offsets = [(0, 3), (0, 1), (1, 3), (1, 0), (2, 2), (2, 1), (3, 3)]  # ties on purpose: id breaks them
    ids = [make_conversation(app, created["id"], user, turns=0)["id"] for _ in offsets]
    _set_times(app, dict(zip(ids, offsets)))
    column = 0 if sort_by.endswith("created_at") else 1
    keyed = sorted((offsets[i][column], cid) for i, cid in enumerate(ids))
    expected = [cid for _, cid in (reversed(keyed) if sort_by.startswith("-") else keyed)]
    seen, flags, last = [], [], ""
    while True:
        body = _list(client, headers, sort_by=sort_by, limit=3, last_id=last)
        seen += [c["id"] for c in body["data"]]
        flags.append(body["has_more"])
        if not body["has_more"]:
            break
        last = body["data"][-1]["id"]
    assert seen == expected and flags == [True, True, False] and body["limit"] == 3


def test_default_order_is_recently_updated_and_items_have_the_wire_shape(app, client):
    created, headers, user = _setup(app, client)
    old, new = (make_conversation(app, created["id"], user, name=n)["id"] for n in ("old", "new"))
    _set_times(app, {old: (0, 5), new: (1, 2)})
    body = _list(client, headers)
    assert [c["id"] for c in body["data"]] == [old, new] and body == {**body, "limit": 20, "has_more": False}
    item = body["data"][0]
    assert set(item) == {"id", "name", "inputs", "status", "introduction", "created_at", "updated_at"}
    assert item["name"] == "old" and item["status"] == "normal" and item["inputs"] == {}
    assert item["updated_at"] == int((BASE + timedelta(seconds=5) - datetime(1970, 1, 1)).total_seconds())


def test_pinned_filter_and_idempotent_pin_unpin(app, client):
    created, headers, user = _setup(app, client)
    first, second = (make_conversation(app, created["id"], user)["id"] for _ in range(2))
    for _ in range(2):
        assert client.patch(f"/api/conversations/{first}/pin", headers=headers).get_json() == {"result": "success"}
    assert [c["id"] for c in _list(client, headers, pinned="true")["data"]] == [first]
    assert [c["id"] for c in _list(client, headers, pinned="false")["data"]] == [second]
    assert len(_list(client, headers, pinned="")["data"]) == 2
    for _ in range(2):
        assert client.patch(f"/api/conversations/{first}/unpin", headers=headers).status_code == 200
    assert _list(client, headers, pinned="true")["data"] == []


def test_list_validation_and_cursor_errors(app, client):
    created, headers, user = _setup(app, client)
    other_headers, other = _caller(client, created["code"])
    foreign = make_conversation(app, created["id"], other)["id"]
    for query in ({"limit": 0}, {"limit": 101}, {"last_id": "nope"}, {"sort_by": "name"}):
        _error(client.get("/api/conversations", headers=headers, query_string=query), 400, "invalid_param")
    for last_id in (foreign, "00000000-0000-7000-8000-000000000000"):
        _error(client.get("/api/conversations", headers=headers, query_string={"last_id": last_id}),
               404, "not_found", "Last Conversation Not Exists.")
    assert _list(client, headers)["data"] == [] and len(_list(client, other_headers)["data"]) == 1


def test_routes_refuse_non_chat_apps(app, client):
    created, headers, user = _setup(app, client, mode="completion")
    cid = make_conversation(app, created["id"], user, mode="completion")["id"]
    for response in (client.get("/api/conversations", headers=headers),
                     client.delete(f"/api/conversations/{cid}", headers=headers),
                     client.post(f"/api/conversations/{cid}/name", headers=headers, json={"name": "x"}),
                     client.patch(f"/api/conversations/{cid}/pin", headers=headers),
                     client.patch(f"/api/conversations/{cid}/unpin", headers=headers)):
        _error(response, 400, "not_chat_app")


def test_delete_hides_the_conversation_and_its_messages(app, client):
    created, headers, user = _setup(app, client)
    conversation = make_conversation(app, created["id"], user)
    response = client.delete(f"/api/conversations/{conversation['id']}", headers=headers)
    assert response.status_code == 204 and response.data == b""
    assert _list(client, headers)["data"] == []
    _error(client.get("/api/messages", headers=headers, query_string={"conversation_id": conversation["id"]}),
           404, "not_found", "Conversation Not Exists.")
    _error(client.post(f"/api/messages/{conversation['message_ids'][0]}/feedbacks", headers=headers,
                       json={"rating": "like"}), 404, "not_found", "Message Not Exists.")
    _error(client.delete(f"/api/conversations/{conversation['id']}", headers=headers), 404, "not_found")


def test_another_users_conversation_is_404_and_unpin_leaves_it_alone(app, client):
    created, owner_headers, owner = _setup(app, client)
    headers, _ = _caller(client, created["code"])
    cid = make_conversation(app, created["id"], owner)["id"]
    client.patch(f"/api/conversations/{cid}/pin", headers=owner_headers)
    for response in (client.delete(f"/api/conversations/{cid}", headers=headers),
                     client.post(f"/api/conversations/{cid}/name", headers=headers, json={"name": "x"}),
                     client.post(f"/api/conversations/{cid}/name", headers=headers, json={"auto_generate": True}),
                     client.patch(f"/api/conversations/{cid}/pin", headers=headers),
                     client.get("/api/messages", headers=headers, query_string={"conversation_id": cid})):
        _error(response, 404, "not_found", "Conversation Not Exists.")
    assert client.patch(f"/api/conversations/{cid}/unpin", headers=headers).get_json() == {"result": "success"}
    assert [c["id"] for c in _list(client, owner_headers, pinned="true")["data"]] == [cid]
    assert client.patch(f"/api/conversations/{cid}/unpin", headers=owner_headers).status_code == 200


def test_rename_with_an_explicit_name(app, client):
    created, headers, user = _setup(app, client)
    cid = make_conversation(app, created["id"], user, name="Old")["id"]
    body = client.post(f"/api/conversations/{cid}/name", headers=headers, json={"name": "  New  "}).get_json()
    assert body["id"] == cid and body["name"] == "New" and "updated_at" in body
    long = client.post(f"/api/conversations/{cid}/name", headers=headers, json={"name": "x" * 300})
    assert long.get_json()["name"] == "x" * 255
    for payload in ({"name": "   "}, {"name": None}, {}):
        _error(client.post(f"/api/conversations/{cid}/name", headers=headers, json=payload), 400,
               "invalid_param", "name is required when auto_generate is false")
    _error(client.post(f"/api/conversations/{cid}/name", headers=headers), 400, "bad_request")


def test_auto_generate_asks_the_model_about_the_first_query(app, client, fake):
    created, headers, user = _setup(app, client)
    cid = make_conversation(app, created["id"], user, name="Old", turns=2)["id"]
    fake.script(Reply(text='"Title: Greetings and more greetings for everyone"\nsecond line'))
    body = client.post(f"/api/conversations/{cid}/name", headers=headers, json={"auto_generate": True}).get_json()
    assert body["name"] == "Greetings and more greetings f"
    sent = fake.last_request.body["messages"]
    assert sent[0]["role"] == "system" and sent[-1] == {"role": "user", "content": "q0"}


def test_auto_generate_keeps_the_old_name_when_the_model_fails(app, client, fake):
    created = make_app(app, settings={"provider": {"max_retries": 0}})
    headers, user = _caller(client, created["code"])
    cid = make_conversation(app, created["id"], user, name="Old")["id"]
    fake.script(Reply(status=500))
    body = client.post(f"/api/conversations/{cid}/name", headers=headers, json={"auto_generate": True}).get_json()
    assert body["name"] == "Old" and len(fake.requests) == 1
    empty = make_conversation(app, created["id"], user, name="Empty", turns=0)["id"]
    body = client.post(f"/api/conversations/{empty}/name", headers=headers, json={"auto_generate": True})
    assert body.get_json()["name"] == "Empty" and len(fake.requests) == 1
