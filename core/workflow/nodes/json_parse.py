"""Robustly pull a JSON value out of model text (code fences, prose around it, trailing commas)."""
import json
import re
from typing import Any

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_OPENERS = {"{": "}", "[": "]"}


def extract_json(text: str) -> Any:
    """The first JSON object/array found in ``text``; None when there is none."""
    candidates = [match.group(1) for match in _FENCE.finditer(text or "")] + [text or ""]
    for candidate in candidates:
        value = _loads(candidate.strip())
        if value is not None:
            return value
        for fragment in _balanced_fragments(candidate):
            value = _loads(fragment)
            if value is not None:
                return value
    return None


def _loads(text: str) -> Any:
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            value = json.loads(attempt)
        except ValueError:
            continue
        if isinstance(value, (dict, list)):
            return value
    return None


def _balanced_fragments(text: str):
    """Substrings that start at ``{``/``[`` and end at the matching bracket (strings respected)."""
    for start, char in enumerate(text):
        if char in _OPENERS:
            end = _matching_end(text, start)
            if end is not None:
                yield text[start:end + 1]


def _matching_end(text: str, start: int) -> int | None:
    stack, in_string, escaped = [], False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPENERS:
            stack.append(_OPENERS[char])
        elif stack and char == stack[-1]:
            stack.pop()
            if not stack:
                return index
    return None
