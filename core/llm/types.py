"""Value types exchanged with callers of the LLM client.

Chat messages are plain OpenAI-format dicts (``{"role", "content"}``, plus
``tool_calls`` / ``tool_call_id`` for tool use); no wrapper class is imposed.
"""
import json
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable


@dataclass
class Delta:
    """One streamed increment: text, raw tool-call fragments, or the finish reason."""

    text: str = ""
    tool_calls: list = field(default_factory=list)
    finish_reason: str | None = None

    def is_empty(self) -> bool:
        """True when the delta carries nothing a caller would notice."""
        return not self.text and not self.tool_calls and self.finish_reason is None


@dataclass
class Usage:
    """Token counts and timings (seconds) of one completion."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    latency: float = 0.0
    time_to_first_token: float | None = None
    time_to_generate: float | None = None

    def to_dict(self) -> dict:
        """Dify's ``LLMUsage`` shape; prices are zero decimals rendered as strings."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "prompt_unit_price": "0",
            "prompt_price_unit": "0",
            "prompt_price": "0",
            "completion_tokens": self.completion_tokens,
            "completion_unit_price": "0",
            "completion_price_unit": "0",
            "completion_price": "0",
            "total_tokens": self.total_tokens,
            "total_price": "0",
            "currency": "USD",
            "latency": _round(self.latency),
            "time_to_first_token": _round(self.time_to_first_token),
            "time_to_generate": _round(self.time_to_generate),
        }


@dataclass
class ChatResult:
    """A finished completion: text, complete tool calls (OpenAI format), finish reason, usage."""

    text: str
    tool_calls: list = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)

    def as_message(self) -> dict:
        """The assistant message to append to the history (for tool-call round trips)."""
        message = {"role": "assistant", "content": self.text}
        if self.tool_calls:
            message["tool_calls"] = self.tool_calls
        return message


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def merge_tool_calls(fragments: Iterable[dict]) -> list[dict]:
    """Merge OpenAI streaming tool-call fragments (keyed by ``index``) into complete calls.

    ``id``, ``type`` and ``function.name`` take the first non-empty value;
    ``function.arguments`` pieces are concatenated in arrival order.
    """
    calls: dict[int, dict] = {}
    for fragment in fragments:
        index = fragment.get("index", len(calls))
        call = calls.setdefault(index, {"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
        call["id"] = call["id"] or fragment.get("id") or ""
        call["type"] = fragment.get("type") or call["type"]
        function = fragment.get("function") or {}
        call["function"]["name"] = call["function"]["name"] or function.get("name") or ""
        call["function"]["arguments"] += _arguments_text(function.get("arguments"))
    return [calls[index] for index in sorted(calls)]


def _arguments_text(arguments) -> str:
    if arguments is None:
        return ""
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def count_tokens(text: str) -> int:
    """Rough token estimate: one per CJK character, one per four other characters (rounded up)."""
    if not text:
        return 0
    wide = sum(1 for char in text if _is_cjk(char))
    return wide + math.ceil((len(text) - wide) / 4)


def _is_cjk(char: str) -> bool:
    return char >= "\u2e80" and unicodedata.east_asian_width(char) in ("W", "F")


def count_message_tokens(messages: list[dict]) -> int:
    """Rough prompt size of OpenAI-format messages (content plus a small per-message overhead); at least 1."""
    total = 0
    for message in messages:
        total += 4 + count_tokens(message_text(message))
        if message.get("tool_calls"):
            total += count_tokens(json.dumps(message["tool_calls"], ensure_ascii=False))
    return max(1, total)


def message_text(message: dict) -> str:
    """The textual content of a message, joining the text parts of multi-part content."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""
