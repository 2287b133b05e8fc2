"""Check a test client's response against the OpenAPI document the app serves (GET /api/openapi.json)."""
from __future__ import annotations

import schemathesis


def assert_matches_document(client, path: str, method: str, response) -> None:
    """Raise (a schemathesis Failure) unless `response` of `method path` matches the document.

    `path` is the document's template (`/api/chat-messages/{task_id}/events`); SSE bodies are checked
    frame by frame against the event schemas.
    """
    document = client.get("/api/openapi.json").get_json()
    schemathesis.openapi.from_dict(document)[path][method.upper()].validate_response(response)
