"""HTTP plumbing for OpenAI-compatible endpoints: requests, error mapping, retry policy."""
import http.client
import json
import time

import requests
import urllib3

from core.llm.errors import (
    LLMAuthError,
    LLMBadRequestError,
    LLMConnectionError,
    LLMError,
    LLMNotConfigured,
    LLMRateLimitError,
    LLMServerError,
)
from core.llm.settings import ProviderSettings

BACKOFF_SECONDS = (0.2, 0.4)
TRANSPORT_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)
_INTERNAL_PREFIX = "demo_"
_RESERVED = ("model", "messages", "stream", "stream_options", "tools")


def request_body(settings: ProviderSettings, messages: list[dict], tools: list | None, stream: bool) -> dict:
    """The chat-completions JSON body: pass-through parameters, then the fields we own."""
    body = {k: v for k, v in settings.parameters.items() if not k.startswith(_INTERNAL_PREFIX) and k not in _RESERVED}
    body.update(model=settings.model, messages=messages, stream=stream)
    if stream:
        body["stream_options"] = {"include_usage": True}
    if tools:
        body["tools"] = tools
    return body


def post(session: requests.Session, settings: ProviderSettings, body: dict) -> requests.Response:
    """POST ``{base_url}/chat/completions``; returns a 200 response with its body unread.

    Raises LLMNotConfigured, LLMConnectionError, or the error mapped from a non-200 status.
    """
    if not settings.is_configured:
        raise LLMNotConfigured()
    stream = bool(body.get("stream"))
    try:
        response = session.post(
            f"{settings.base_url.rstrip('/')}/chat/completions",
            json=body,
            headers=_headers(settings, stream),
            stream=stream,
            timeout=(settings.connect_timeout, settings.read_timeout),
        )
        if response.status_code != 200:
            raise error_for_status(response.status_code, _error_text(response))
    except TRANSPORT_ERRORS as exc:
        raise transport_error(exc) from exc
    return response


def _headers(settings: ProviderSettings, stream: bool) -> dict:
    return {
        "Authorization": f"Bearer {settings.api_key}",
        "Accept": "text/event-stream" if stream else "application/json",
        "Accept-Encoding": "identity",
    }


def _error_text(response: requests.Response) -> str:
    try:
        return response.text
    finally:
        response.close()


def error_for_status(status: int, body_text: str) -> LLMError:
    """Map an upstream HTTP error status and OpenAI-shaped body to a domain error."""
    message, code = upstream_error(body_text, status)
    if status in (401, 403):
        return LLMAuthError()
    if status == 429:
        return LLMRateLimitError(f"[openai] Rate limit exceeded: {message}")
    if status >= 500:
        return LLMServerError(f"[openai] Server Unavailable Error, {message}")
    if status == 404 and code == "model_not_found":
        return LLMBadRequestError(message, code="model_currently_not_support")
    return LLMBadRequestError(message)


def upstream_error(body_text: str, status: int | None = None) -> tuple[str, str | None]:
    """``(message, code)`` from an ``{"error": {"message", "type", "code"}}`` body, tolerating other shapes."""
    try:
        body = json.loads(body_text)
    except ValueError:
        body = None
    error = body.get("error", body) if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = error.get("message") or error.get("detail") or json.dumps(error)
        return str(message), error.get("code")
    if isinstance(error, str):
        return error, None
    return (body_text or "").strip()[:500] or f"HTTP {status}", None


def transport_error(exc: BaseException) -> LLMConnectionError:
    """Map a network failure to LLMConnectionError; read timeouts are not retryable.

    A read timeout means the upstream accepted the request and may still be
    working on it, so repeating it would multiply cost and waiting time.
    """
    detail = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc) or type(exc).__name__
    return LLMConnectionError(f"[openai] Connection Error, {detail}", retryable=not is_read_timeout(exc))


def is_read_timeout(exc: BaseException) -> bool:
    """True for a read timeout, however requests/urllib3 wrapped it."""
    if isinstance(exc, (requests.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)):
        return True
    inner = exc.args[0] if exc.args else None
    return isinstance(inner, BaseException) and inner is not exc and is_read_timeout(inner)


def may_retry(error: LLMError, attempt: int, settings: ProviderSettings) -> bool:
    """Whether failed attempt number ``attempt`` (0-based) may be repeated."""
    return error.retryable and attempt < settings.max_retries


def backoff(attempt: int) -> None:
    """Sleep before retry number ``attempt + 1`` (0.2 s, then 0.4 s, ...)."""
    time.sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)])
