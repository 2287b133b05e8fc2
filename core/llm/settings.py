"""Which model endpoint to call, and how patiently."""
from dataclasses import dataclass, field

OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
DEMO = "demo"
OPENAI = "openai"
_TUNING_KEYS = ("connect_timeout", "read_timeout", "max_retries")


@dataclass
class ProviderSettings:
    """Resolved settings of one OpenAI-compatible endpoint (or the offline demo provider).

    ``parameters`` (temperature, max_tokens, top_p, ...) are passed through to the
    request body; keys starting with ``demo_`` only tune the demo provider.
    """

    provider: str = DEMO
    base_url: str = ""
    api_key: str = ""
    model: str = DEFAULT_MODEL
    parameters: dict = field(default_factory=dict)
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    max_retries: int = 2

    @property
    def is_configured(self) -> bool:
        """True when a real endpoint can be called (base URL and API key present)."""
        return bool(self.base_url and self.api_key)

    @classmethod
    def resolve(cls, app_settings: dict | None, defaults: dict) -> "ProviderSettings":
        """Alias of :func:`resolve_settings`."""
        return resolve_settings(app_settings, defaults)


def resolve_settings(app_settings: dict | None, defaults: dict) -> ProviderSettings:
    """Merge an app's provider settings over server-wide defaults.

    Both dicts use the keys ``provider, base_url, api_key, model, parameters``
    (optionally ``connect_timeout, read_timeout, max_retries``); empty values fall
    through to the defaults and ``parameters`` are merged key by key. The server's
    API key is only inherited when the app keeps the server's base URL, so an app
    pointing elsewhere never receives it. Without a base URL + API key the provider
    becomes "demo" unless "openai" was requested explicitly (calls then raise
    LLMNotConfigured). An API key without a base URL means api.openai.com.
    """
    app, base = app_settings or {}, defaults or {}
    base_url = (app.get("base_url") or base.get("base_url") or "").rstrip("/")
    api_key = app.get("api_key") or _inherited_key(app, base)
    if api_key and not base_url:
        base_url = OPENAI_BASE_URL
    settings = ProviderSettings(
        provider=_provider(app.get("provider") or base.get("provider"), base_url, api_key),
        base_url=base_url,
        api_key=api_key,
        model=app.get("model") or base.get("model") or DEFAULT_MODEL,
        parameters=_merged_parameters(base.get("parameters"), app.get("parameters")),
    )
    _apply_tuning(settings, base, app)
    return settings


def _inherited_key(app: dict, base: dict) -> str:
    own_url = (app.get("base_url") or "").rstrip("/")
    if own_url and own_url != (base.get("base_url") or "").rstrip("/"):
        return ""
    return base.get("api_key") or ""


def _provider(requested: str | None, base_url: str, api_key: str) -> str:
    if requested == DEMO:
        return DEMO
    if requested == OPENAI or (base_url and api_key):
        return OPENAI
    return DEMO


def _merged_parameters(*layers: dict | None) -> dict:
    merged: dict = {}
    for layer in layers:
        merged.update({key: value for key, value in (layer or {}).items() if value is not None})
    return merged


def _apply_tuning(settings: ProviderSettings, *layers: dict) -> None:
    for layer in layers:
        for key in _TUNING_KEYS:
            if layer.get(key) is not None:
                setattr(settings, key, type(getattr(settings, key))(layer[key]))
