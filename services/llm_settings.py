"""Which model endpoint an app talks to: its own provider settings over the server's defaults."""
from __future__ import annotations

from typing import Any, Mapping

from core.llm import ProviderSettings, resolve_settings
from models import App


def server_defaults(config: Mapping[str, Any]) -> dict[str, Any]:
    """Server-wide provider defaults from OPENAI_API_BASE, OPENAI_API_KEY and DEFAULT_MODEL."""
    return {"base_url": config["OPENAI_API_BASE"], "api_key": config["OPENAI_API_KEY"],
            "model": config["DEFAULT_MODEL"], "connect_timeout": config["LLM_CONNECT_TIMEOUT"],
            "read_timeout": config["LLM_READ_TIMEOUT"]}


def app_completion_params(app: App) -> dict[str, Any]:
    """Sampling parameters from the app's model_config (temperature, max_tokens, ...)."""
    model = (app.model_config or {}).get("model") or {}
    params = model.get("completion_params") or {}
    allowed = ("temperature", "top_p", "max_tokens", "presence_penalty", "frequency_penalty", "stop", "seed")
    return {k: v for k, v in params.items() if k in allowed}


def provider_settings(app: App, config: Mapping[str, Any], **parameters: Any) -> ProviderSettings:
    """Resolved settings for `app`; `parameters` override the app's sampling parameters."""
    own = dict((app.settings or {}).get("provider") or {})
    own["parameters"] = {**app_completion_params(app), **(own.get("parameters") or {}), **parameters}
    return resolve_settings(own, server_defaults(config))
