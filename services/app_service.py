"""Creating, importing and switching apps; the console-less management behind `flask apps`."""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from api.extensions import db
from core.dsl import DslApp, DslError, parse_dsl
from models import APP_MODES, App, Site
from services.errors import DslRefused, InvalidParam, NotFound
from services.generation.prompt import PLACEHOLDER

CODE_ALPHABET = string.ascii_letters + string.digits
PLACEHOLDER_MAX_LENGTH = 48  # Dify's default max_length for a text-input added from the prompt
DEMO_APP_NAME = "Demo Chat"


@dataclass
class NewApp:
    """What a new app is made of (CLI flags or a DSL file)."""

    name: str
    mode: str
    description: str = ""
    icon_type: str | None = "emoji"
    icon: str | None = "🤖"
    icon_background: str | None = "#FFEAD5"
    model_config: dict[str, Any] | None = None
    workflow: dict[str, Any] | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    max_active_requests: int | None = None


def easy_model_config(model: str | None, pre_prompt: str, opening_statement: str = "") -> dict[str, Any]:
    """A minimal model_config in Dify's shape for completion/chat apps built from CLI flags."""
    return {
        "model": {"provider": "openai", "name": model or "", "mode": "chat", "completion_params": {}},
        "pre_prompt": pre_prompt,
        "opening_statement": opening_statement,
        "user_input_form": placeholder_form(pre_prompt),
        "suggested_questions": [],
        "suggested_questions_after_answer": {"enabled": False},
        "more_like_this": {"enabled": False},
    }


def placeholder_form(pre_prompt: str) -> list[dict[str, Any]]:
    """One optional ``text-input`` per distinct ``{{name}}`` in the pre-prompt, in order of appearance."""
    names = dict.fromkeys(match.group(1) for match in PLACEHOLDER.finditer(pre_prompt or ""))
    return [{"text-input": {"label": name, "variable": name, "required": False,
                            "max_length": PLACEHOLDER_MAX_LENGTH, "default": ""}} for name in names]


def create_app_with_site(spec: NewApp) -> tuple[App, Site]:
    """Create an app and its public site (with a fresh code). Raises InvalidParam on a bad mode."""
    if spec.mode not in APP_MODES:
        raise InvalidParam(f"Unknown app mode '{spec.mode}'. Choose one of: {', '.join(APP_MODES)}.")
    app = App(name=spec.name, mode=spec.mode, description=spec.description, icon_type=spec.icon_type,
              icon=spec.icon, icon_background=spec.icon_background, model_config=spec.model_config,
              workflow=spec.workflow, settings=spec.settings, enable_site=True, status="normal",
              max_active_requests=spec.max_active_requests)
    db.session.add(app)
    db.session.flush()
    site = Site(app_id=app.id, code=_unique_code(), title=spec.name, icon_type=spec.icon_type, icon=spec.icon,
                icon_background=spec.icon_background, description=spec.description or None)
    db.session.add(site)
    db.session.commit()
    return app, site


def import_dsl(text: str) -> tuple[App, Site]:
    """Create an app from a Dify DSL document. Raises DslRefused naming the unsupported part."""
    try:
        dsl = parse_dsl(text)
    except DslError as exc:
        raise DslRefused(exc.message) from None
    return create_app_with_site(_new_app_from_dsl(dsl))


def _new_app_from_dsl(dsl: DslApp) -> NewApp:
    return NewApp(name=dsl.name, mode=dsl.mode, description=dsl.description or "", icon_type=dsl.icon_type,
                  icon=dsl.icon, icon_background=dsl.icon_background, model_config=dsl.model_config,
                  workflow=dsl.workflow)


def list_apps() -> list[tuple[App, Site]]:
    """Every app with its site, oldest first."""
    rows = db.session.execute(db.select(App, Site).join(Site, Site.app_id == App.id).order_by(App.id))
    return [(app, site) for app, site in rows]


def set_site_enabled(code: str, enabled: bool) -> App:
    """Enable or disable the public site of the app with site `code`. Raises NotFound."""
    app = get_app_by_code(code)
    app.enable_site = enabled
    db.session.commit()
    return app


def configure_app(code: str, provider: dict[str, Any], cache_enabled: bool | None,
                  max_active_requests: int | None) -> App:
    """Change an app's provider settings, completion cache switch and concurrency limit. Raises NotFound."""
    app = get_app_by_code(code)
    settings = dict(app.settings or {})
    if provider:
        settings["provider"] = {**settings.get("provider", {}), **provider}
    if cache_enabled is not None:
        settings["completion_cache"] = {"enabled": cache_enabled}
    app.settings = settings
    if max_active_requests is not None:
        app.max_active_requests = max_active_requests or None
    app.config_version = (app.config_version or 1) + 1
    db.session.commit()
    return app


def get_app_by_code(code: str) -> App:
    """The app behind site `code`. Raises NotFound."""
    site = db.session.execute(db.select(Site).filter_by(code=code)).scalar_one_or_none()
    if site is None:
        raise NotFound(f"No app with code '{code}'.")
    return db.session.get(App, site.app_id)


def ensure_demo_app() -> tuple[App, Site, bool]:
    """Return the demo chat app, creating it when the database has no app at all."""
    existing = list_apps()
    if existing:
        demo = next(((a, s) for a, s in existing if a.name == DEMO_APP_NAME), existing[0])
        return demo[0], demo[1], False
    config = easy_model_config(None, "You are a friendly assistant for {{topic}}.",
                               "Hello! I'm the demo assistant. Ask me anything.")
    config["user_input_form"] = [{"text-input": {"label": "Topic", "variable": "topic", "required": False,
                                                 "max_length": 48, "default": "anything"}}]
    config["suggested_questions"] = ["What can you do?", "Tell me a short story."]
    app, site = create_app_with_site(NewApp(name=DEMO_APP_NAME, mode="chat", model_config=config))
    return app, site, True


def _unique_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
        if not db.session.execute(db.select(Site.id).filter_by(code=code)).first():
            return code
