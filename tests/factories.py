"""Test data built through the same services the CLI uses."""
from __future__ import annotations

from typing import Any

from services import app_service


def make_app(app, mode: str = "chat", name: str = "Test App", **fields: Any) -> dict[str, str]:
    """Create an app with a site; returns {"id", "code"}."""
    model_config = fields.pop("model_config", None)
    if model_config is None and mode in ("completion", "chat", "agent-chat"):
        model_config = app_service.easy_model_config("test-model", fields.pop("pre_prompt", "You are helpful."))
    spec = app_service.NewApp(name=name, mode=mode, model_config=model_config, **fields)
    with app.app_context():
        created, site = app_service.create_app_with_site(spec)
        return {"id": created.id, "code": site.code}


def passport(client, code: str, user_id: str | None = None) -> str:
    """Fetch a passport for app `code` the way the front end does."""
    query = {"user_id": user_id} if user_id else {}
    response = client.get("/api/passport", headers={"X-App-Code": code}, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def auth_headers(code: str, token: str) -> dict[str, str]:
    return {"X-App-Code": code, "X-App-Passport": token}
