"""Every error of spec §2.1 that is raised before a run starts, with its status and code."""
from __future__ import annotations

import pytest

from tests.factories import auth_headers, end_user_id, form_config, make_app, make_conversation, passport


def _post(client, code, token, path="/api/chat-messages", **body):
    return client.post(path, headers=auth_headers(code, token), json=body)


def _error(response, status, code, message=None):
    body = response.get_json()
    assert response.status_code == status and body["code"] == code and body["status"] == status, body
    if message:
        assert message in body["message"], body
    return body


@pytest.fixture
def chat(app, client):
    code = make_app(app, model_config=form_config("Hi {{name}}", "name"))["code"]
    return code, passport(client, code)


def test_wrong_mode_routes(app, client):
    completion = make_app(app, mode="completion")["code"]
    chat = make_app(app, name="chat")["code"]
    _error(_post(client, completion, passport(client, completion), query="q", inputs={}), 400, "not_chat_app")
    _error(_post(client, chat, passport(client, chat), "/api/completion-messages", inputs={}), 400,
           "not_completion_app")
    stop = client.post("/api/completion-messages/t/stop", headers=auth_headers(chat, passport(client, chat)))
    _error(stop, 400, "not_completion_app")


def test_chat_stop_route_accepts_completion_apps(app, client):
    code = make_app(app, mode="completion")["code"]
    response = client.post("/api/chat-messages/unknown/stop", headers=auth_headers(code, passport(client, code)))
    assert response.get_json() == {"result": "success"}


def test_query_and_inputs_validation(client, chat):
    code, token = chat
    _error(_post(client, code, token, inputs={"name": "x"}), 400, "invalid_param", "query")
    _error(_post(client, code, token, query=" \x00 ", inputs={"name": "x"}), 400, "invalid_param",
           "query is required")
    _error(_post(client, code, token, query="q"), 400, "invalid_param", "inputs")
    _error(_post(client, code, token, query="q", inputs={}), 400, "invalid_param", "name is required")
    _error(_post(client, code, token, query="q", inputs={"name": "n" * 49}), 400, "invalid_param", "48")


def test_conversation_id_checks(app, client, chat):
    code, token = chat
    _error(_post(client, code, token, query="q", inputs={"name": "x"}, conversation_id="nope"), 400,
           "invalid_param", "nope is not a valid uuid.")
    missing = "01936f7e-0000-7000-8000-000000000000"
    _error(_post(client, code, token, query="q", inputs={"name": "x"}, conversation_id=missing), 404,
           "not_found", "Conversation Not Exists.")
    other = passport(client, code)
    app_id = make_conversation_app_id(app, code)
    foreign = make_conversation(app, app_id, end_user_id(other))["id"]
    _error(_post(client, code, token, query="q", inputs={"name": "x"}, conversation_id=foreign), 404,
           "not_found", "Conversation Not Exists.")


def make_conversation_app_id(app, code):
    from api.extensions import db
    from models import Site

    with app.app_context():
        return db.session.execute(db.select(Site.app_id).filter_by(code=code)).scalar_one()


def test_invalid_and_empty_json(client, chat):
    code, token = chat
    for data in (b"{not json", b""):
        headers = {**auth_headers(code, token), "Content-Type": "application/json"}
        response = client.post("/api/chat-messages", headers=headers, data=data)
        _error(response, 400, "bad_request", "Invalid JSON payload received or JSON payload is empty.")


@pytest.mark.parametrize("app_overrides", [{"OPENAI_API_BASE": "", "OPENAI_API_KEY": ""}])
def test_provider_not_initialized(app, client, app_overrides):
    code = make_app(app, settings={"provider": {"provider": "openai"}})["code"]
    response = _post(client, code, passport(client, code), query="q", inputs={}, response_mode="blocking")
    _error(response, 400, "provider_not_initialize")


def test_unreachable_upstream_is_a_connection_error(app, client):
    provider = {"base_url": "http://127.0.0.1:9/v1", "api_key": "k", "max_retries": 0}
    code = make_app(app, settings={"provider": provider})["code"]
    response = _post(client, code, passport(client, code), query="q", inputs={}, response_mode="streaming")
    _error(response, 400, "completion_request_error", "Connection Error")
