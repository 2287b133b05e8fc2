"""OpenAI-compatible chat-completions client with an offline demo provider."""
from core.llm.client import HTTPChatStream, chat, stream_chat
from core.llm.demo import DemoChatStream, demo_answer
from core.llm.errors import (
    LLMAuthError,
    LLMBadRequestError,
    LLMConnectionError,
    LLMError,
    LLMNotConfigured,
    LLMRateLimitError,
    LLMServerError,
)
from core.llm.settings import ProviderSettings, resolve_settings
from core.llm.stream import ChatStream
from core.llm.types import ChatResult, Delta, Usage, count_message_tokens, count_tokens, merge_tool_calls

__all__ = [
    "ChatResult",
    "ChatStream",
    "Delta",
    "DemoChatStream",
    "HTTPChatStream",
    "LLMAuthError",
    "LLMBadRequestError",
    "LLMConnectionError",
    "LLMError",
    "LLMNotConfigured",
    "LLMRateLimitError",
    "LLMServerError",
    "ProviderSettings",
    "Usage",
    "chat",
    "count_message_tokens",
    "count_tokens",
    "demo_answer",
    "merge_tool_calls",
    "resolve_settings",
    "stream_chat",
]
