"""GET /api/openapi.json: public, valid OpenAPI 3.1, and in step with the url_map both ways."""
from __future__ import annotations

import re

import jsonschema
import pytest
import schemathesis

from tests.factories import auth_headers, end_user_id, make_app, make_conversation, passport
from tests.support.openapi import assert_matches_document

pytestmark = pytest.mark.embedded

SKIPPED = {"HEAD", "OPTIONS"}


def _document(client) -> dict:
    response = client.get("/api/openapi.json")  # no passport, no app code
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_every_api_route_is_described_and_every_described_route_exists(app, client):
    served = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - SKIPPED}
    described = {(path, method) for path, item in _document(client)["paths"].items() for method in item}
    assert served - described == set(), "routes missing from the document"
    assert described - served == set(), "documented routes the server does not have"
    assert ("/api/chat-messages", "post") in served and ("/api/ws", "get") in served


def test_document_is_valid_openapi_3_1_with_valid_schemas(client):
    doc = _document(client)
    assert doc["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(doc)
    schema.validate()  # against the OpenAPI 3.1 meta-schema
    for result in schema.get_all_operations():
        result.ok()  # every operation's parameters and bodies resolve
    for component in doc["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(component)


def test_every_link_leads_to_a_described_operation_and_parameter(client):
    doc = _document(client)
    operations = {op["operationId"]: op for item in doc["paths"].values() for op in item.values()}
    links = [link for op in operations.values() for response in op["responses"].values()
             for link in response.get("links", {}).values()]
    assert len(links) >= 20
    for link in links:
        target = operations[link["operationId"]]
        names = {f"{p['in']}.{p['name']}" for p in target.get("parameters", [])}
        assert set(link.get("parameters", {})) <= names, link
        assert "requestBody" not in link or "requestBody" in target, link


def test_bodies_and_events_come_from_the_controllers_models(client):
    doc = _document(client)
    chat = doc["paths"]["/api/chat-messages"]["post"]
    assert chat["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ChatPayload"}
    assert doc["components"]["schemas"]["ChatPayload"]["required"] == ["inputs", "query"]
    stream = chat["responses"]["200"]["content"]["text/event-stream"]["schema"]["properties"]["data"]
    assert stream["contentSchema"] == {"$ref": "#/components/schemas/ChatStreamEvent"}
    events = doc["components"]["schemas"]["ChatStreamEvent"]["discriminator"]["mapping"]
    assert {"message", "agent_message", "agent_thought", "message_end", "error", "workflow_started", "node_started",
            "node_finished", "iteration_next", "workflow_finished"} <= set(events)
    assert chat["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert chat["security"] and doc["paths"]["/api/passport"]["get"]["security"] == []
    limit = next(p for p in doc["paths"]["/api/conversations"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100 and limit["in"] == "query"


def test_a_wrong_body_is_an_error_body_the_document_describes(app, client):
    code = make_app(app)["code"]
    response = client.post("/api/chat-messages", headers=auth_headers(code, passport(client, code)),
                           json={"inputs": {}})
    assert response.status_code == 400 and response.get_json()["params"] == "query"
    assert_matches_document(client, "/api/chat-messages", "POST", response)


def test_history_routes_answer_as_documented(app, client):
    created = make_app(app)
    token = passport(client, created["code"])
    headers = auth_headers(created["code"], token)
    conversation = make_conversation(app, created["id"], end_user_id(token), turns=2)
    message_id = conversation["message_ids"][0]
    calls = [
        ("POST", "/api/messages/{message_id}/feedbacks", f"/api/messages/{message_id}/feedbacks",
         {"json": {"rating": "like", "content": "good"}}),
        ("GET", "/api/messages", "/api/messages", {"query_string": {"conversation_id": conversation["id"]}}),
        ("POST", "/api/conversations/{c_id}/name", f"/api/conversations/{conversation['id']}/name",
         {"json": {"name": "renamed"}}),
        ("PATCH", "/api/conversations/{c_id}/pin", f"/api/conversations/{conversation['id']}/pin", {}),
        ("GET", "/api/conversations", "/api/conversations", {"query_string": {"pinned": "true"}}),
        ("GET", "/api/site", "/api/site", {}),
        ("GET", "/api/parameters", "/api/parameters", {}),
        ("GET", "/api/system-features", "/api/system-features", {}),
        ("DELETE", "/api/conversations/{c_id}", f"/api/conversations/{conversation['id']}", {}),
    ]
    for method, template, path, kwargs in calls:
        response = client.open(path, method=method, headers=headers, **kwargs)
        assert response.status_code < 300, (path, response.get_data(as_text=True))
        assert_matches_document(client, template, method, response)
    listed = client.get("/api/messages", headers=headers, query_string={"conversation_id": conversation["id"]})
    assert listed.status_code == 404  # deleted with its conversation


def test_saved_messages_answer_as_documented(app, client):
    created = make_app(app, "completion")
    token = passport(client, created["code"])
    headers = auth_headers(created["code"], token)
    message_id = make_conversation(app, created["id"], end_user_id(token), mode="completion")["message_ids"][0]
    saved = client.post("/api/saved-messages", headers=headers, json={"message_id": message_id})
    assert_matches_document(client, "/api/saved-messages", "POST", saved)
    listed = client.get("/api/saved-messages", headers=headers)
    assert [m["id"] for m in listed.get_json()["data"]] == [message_id]
    assert_matches_document(client, "/api/saved-messages", "GET", listed)
