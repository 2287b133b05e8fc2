"""Test data built through the same services the CLI uses."""
from __future__ import annotations

from typing import Any

from services import app_service


def form_config(pre_prompt: str, *variables: str, required: bool = True, **features: Any) -> dict[str, Any]:
    """A model_config whose input form has a text input per name in `variables`."""
    config = app_service.easy_model_config("test-model", pre_prompt)
    config["user_input_form"] = [{"text-input": {"label": v.title(), "variable": v, "required": required,
                                                 "max_length": 48}} for v in variables]
    config.update(features)
    return config


def make_app(app, mode: str = "chat", name: str = "Test App", **fields: Any) -> dict[str, str]:
    """Create an app with a site; returns {"id", "code"}."""
    model_config = fields.pop("model_config", None)
    if model_config is None and mode in ("completion", "chat", "agent-chat"):
        model_config = app_service.easy_model_config("test-model", fields.pop("pre_prompt", "You are helpful."))
    spec = app_service.NewApp(name=name, mode=mode, model_config=model_config, **fields)
    with app.app_context():
        created, site = app_service.create_app_with_site(spec)
        return {"id": created.id, "code": site.code}


def make_conversation(app, app_id: str, end_user_id: str, name: str = "Chat", turns: int = 1,
                      mode: str = "chat") -> dict[str, Any]:
    """A conversation with `turns` finished messages (query "q<i>", answer "a<i>"); returns ids."""
    from api.extensions import db
    from models import Conversation, Message

    with app.app_context():
        conversation = Conversation(app_id=app_id, from_end_user_id=end_user_id, mode=mode, name=name)
        db.session.add(conversation)
        db.session.flush()
        ids = []
        for i in range(turns):
            message = Message(app_id=app_id, conversation_id=conversation.id, from_end_user_id=end_user_id,
                              mode=mode, query=f"q{i}", answer=f"a{i}", status="normal")
            db.session.add(message)
            db.session.flush()
            ids.append(message.id)
        db.session.commit()
        return {"id": conversation.id, "message_ids": ids}


def end_user_id(token: str) -> str:
    """The end user a passport names."""
    import jwt

    return jwt.decode(token, options={"verify_signature": False})["end_user_id"]


def passport(client, code: str, user_id: str | None = None) -> str:
    """Fetch a passport for app `code` and use it once, the way the front end does (its end user row then exists)."""
    query = {"user_id": user_id} if user_id else {}
    response = client.get("/api/passport", headers={"X-App-Code": code}, query_string=query)
    assert response.status_code == 200, response.get_json()
    token = response.get_json()["access_token"]
    first_use = client.get("/api/site", headers=auth_headers(code, token))
    assert first_use.status_code == 200, first_use.get_json()
    return token


def auth_headers(code: str, token: str) -> dict[str, str]:
    return {"X-App-Code": code, "X-App-Passport": token}
