"""Domain errors raised by the LLM client.

Every error carries the Dify wire triple: ``code``, ``message`` and ``status``
(the HTTP status the API reports, 400 for all model-invocation failures).
"""


class LLMError(Exception):
    """A model call failed. ``retryable`` marks failures safe to retry before the first token."""

    code = "completion_request_error"
    status = 400
    default_message = "Model invocation failed."
    retryable = False

    def __init__(self, message: str | None = None, *, code: str | None = None, retryable: bool | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)
        if code is not None:
            self.code = code
        if retryable is not None:
            self.retryable = retryable

    def to_dict(self) -> dict:
        """The error as Dify's ``{"code", "message", "status"}`` body."""
        return {"code": self.code, "message": self.message, "status": self.status}


class LLMAuthError(LLMError):
    """Upstream rejected the credentials (401/403)."""

    default_message = "Incorrect API key provided"


class LLMRateLimitError(LLMError):
    """Upstream answered 429."""

    retryable = True


class LLMBadRequestError(LLMError):
    """Upstream refused the request (400/404/422 and other 4xx)."""


class LLMServerError(LLMError):
    """Upstream failed (5xx) or sent something unreadable."""

    retryable = True


class LLMConnectionError(LLMError):
    """Connecting failed, timed out, or the stream was cut before it finished."""

    retryable = True


class LLMNotConfigured(LLMError):
    """The "openai" provider was selected without a base URL and API key."""

    code = "provider_not_initialize"
    default_message = (
        "Provider not initialized. Please configure OPENAI_API_BASE and OPENAI_API_KEY "
        "or the app's provider settings."
    )
