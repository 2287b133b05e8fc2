"""Bounded request bodies: size (413), query and input lengths, JSON depth, unpaired surrogates (400s)."""
from __future__ import annotations

import json

import pytest

from api.extensions import db
from models import Conversation, Message
from services import app_service
from tests.factories import auth_headers, make_app, passport

pytestmark = pytest.mark.embedded

FORM = [{"paragraph": {"label": "Notes", "variable": "notes", "required": False}},
        {"text-input": {"label": "Name", "variable": "name", "required": False, "max_length": 10}}]


@pytest.fixture
def app_overrides(upstream):
    return {"MAX_CONTENT_LENGTH": 64 * 1024, "QUERY_MAX_LENGTH": 1000, "INPUT_MAX_LENGTH": 2000,
            "OPENAI_API_BASE": upstream.base_url, "OPENAI_API_KEY": "sk-test"}


@pytest.fixture
def headers(app, client):
    config = app_service.easy_model_config("test-model", "Notes: {{notes}}")
    config["user_input_form"] = FORM
    code = make_app(app, model_config=config)["code"]
    return auth_headers(code, passport(client, code))


def _post(client, headers, body: bytes | dict):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/api/chat-messages", headers=headers, data=data, content_type="application/json")


def _assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    body = response.get_json()
    assert response.status_code == status and body["code"] == code and body["status"] == status, body
    assert set(body) >= {"code", "message", "status"}
    if field is not None:
        assert body["params"] == field and body["message"].startswith(field), body
    return body


def _nothing_stored(app) -> None:
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Message.id))).scalar() == 0
        assert db.session.execute(db.select(db.func.count(Conversation.id))).scalar() == 0


def test_body_over_max_content_length_is_413(app, client, headers):
    response = _post(client, headers, {"inputs": {}, "query": "x" * (65 * 1024)})
    _assert_error(response, 413, "request_entity_too_large")
    _nothing_stored(app)


def test_query_over_its_limit_names_the_field(app, client, headers):
    _assert_error(_post(client, headers, {"inputs": {}, "query": "q" * 1001}), 400, "invalid_param", "query")
    _nothing_stored(app)


@pytest.mark.parametrize("inputs, field", [({"notes": "n" * 2001}, "notes"), ({"name": "n" * 11}, "name")])
def test_inputs_obey_the_form_and_the_global_cap(app, client, headers, inputs, field):
    body = _assert_error(_post(client, headers, {"inputs": inputs, "query": "hi"}), 400, "invalid_param")
    assert body["message"].startswith(f"{field} in input form must be less than"), body
    _nothing_stored(app)


@pytest.mark.parametrize("depth", [65, 1000, 20_000])
def test_deeply_nested_json_is_400_naming_the_field(app, client, headers, depth):
    raw = b'{"query": "hi", "inputs": {"notes": ' + b"[" * depth + b"]" * depth + b"}}"
    _assert_error(_post(client, headers, raw), 400, "invalid_param", "inputs" if depth < 900 else "body")
    _nothing_stored(app)


@pytest.mark.parametrize("raw, field", [
    (b'{"inputs": {}, "query": "a\\ud800b"}', "query"),
    (b'{"inputs": {"notes": "\\udfff"}, "query": "hi"}', "inputs.notes"),
    (b'{"inputs": {"\\ud83d": "x"}, "query": "hi"}', "inputs.\ud83d"),
])
def test_unpaired_surrogates_are_400_naming_the_field(app, client, headers, raw, field):
    body = _assert_error(_post(client, headers, raw), 400, "invalid_param")
    assert "surrogate" in body["message"] and body["params"].encode("utf-8", "replace").decode() == \
        field.encode("utf-8", "replace").decode(), body
    _nothing_stored(app)


def test_limits_leave_valid_requests_alone(app, client, headers):
    raw = (b'{"response_mode": "blocking", "inputs": {"notes": "\\ud83d\\ude00' + b"n" * 1998 + b'", '
           b'"extra": ' + b"[" * 60 + b"]" * 60 + b'}, "query": "' + b"q" * 1000 + b'"}')
    response = _post(client, headers, raw)
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        message = db.session.execute(db.select(Message)).scalar_one()
        assert message.inputs["notes"].startswith("\U0001F600n") and len(message.query) == 1000
