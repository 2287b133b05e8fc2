"""The one error vocabulary. Each error knows its wire code, HTTP status and message (STYLE G8)."""
from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of every domain error; rendered as {"code", "message", "status"}."""

    code = "internal_server_error"
    status = 500
    message = "Internal Server Error, please contact support."

    def __init__(self, message: str | None = None, **extra: Any) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "status": self.status, **self.extra}

    def headers(self) -> dict[str, str]:
        """Response headers that go with this error."""
        return {}


class Unauthorized(AppError):
    code, status, message = "unauthorized", 401, "Unauthorized."


class Forbidden(AppError):
    code, status, message = "forbidden", 403, "Forbidden."


class NotFound(AppError):
    code, status, message = "not_found", 404, "Not Found."


class BadRequest(AppError):
    code, status, message = "bad_request", 400, "Bad Request."


class InvalidParam(AppError):
    code, status, message = "invalid_param", 400, "Invalid parameter."


class TooManyRequests(AppError):
    code, status, message = "too_many_requests", 429, "Too many requests. Please try again later."

    def __init__(self, message: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


class AppUnavailable(AppError):
    code, status = "app_unavailable", 400
    message = "App unavailable, please check your app configurations."


class NotCompletionApp(AppError):
    code, status = "not_completion_app", 400
    message = "Please check if your Completion app mode matches the right API route."


class NotChatApp(AppError):
    code, status, message = "not_chat_app", 400, "Please check if your app mode matches the right API route."


class NotWorkflowApp(AppError):
    code, status = "not_workflow_app", 400
    message = "Please check if your Workflow app mode matches the right API route."


class ConversationNotExists(NotFound):
    message = "Conversation Not Exists."


class LastConversationNotExists(NotFound):
    message = "Last Conversation Not Exists."


class MessageNotExists(NotFound):
    message = "Message Not Exists."


class FirstMessageNotExists(NotFound):
    message = "First Message Not Exists."


class ConversationCompleted(AppError):
    code, status = "conversation_completed", 400
    message = "The conversation has ended. Please start a new conversation."


class ProviderNotInitialized(AppError):
    code, status = "provider_not_initialize", 400
    message = "No valid model provider credentials found."


class CompletionRequestError(AppError):
    code, status, message = "completion_request_error", 400, "Completion request failed."


class AppMoreLikeThisDisabled(AppError):
    code, status = "app_more_like_this_disabled", 403
    message = "The 'More like this' feature is disabled. Please refresh your page."


class AppSuggestedQuestionsDisabled(AppError):
    code, status = "app_suggested_questions_after_answer_disabled", 403
    message = "The 'Suggested Questions After Answer' feature is disabled. Please refresh your page."


class DslRefused(AppError):
    code, status, message = "invalid_dsl", 400, "The DSL file cannot be imported."


class RunFailed(AppError):
    """A run's in-band error event, raised as an HTTP error where nothing was streamed yet."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status
