"""Server-Sent Events framing: one whole frame per write (spec Decisions, §3.1)."""
from __future__ import annotations

import json
from typing import Any

PING_FRAME = "event: ping\n\n"


def dumps(data: Any) -> str:
    """Compact UTF-8 JSON, as Dify writes it (no ASCII escaping)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class Event(dict):
    """An event dict that keeps its compact JSON once computed, so the SSE frame and the replay log encode it
    once. Do not change it after it was published."""

    __slots__ = ("json",)  # unset until computed (no __init__ of our own: one is built per token)


def event_json(event: dict[str, Any]) -> str:
    """`dumps(event)`, computed at most once for an `Event`."""
    encoded = getattr(event, "json", None)
    if encoded is None:
        encoded = dumps(event)
        if isinstance(event, Event):
            event.json = encoded
    return encoded


def frame(data: dict[str, Any], event_id: str | None = None) -> str:
    """`id: ...` (optional) and `data: {...}` lines followed by the blank line that ends the frame."""
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}data: {event_json(data)}\n\n"


class Template:
    """Events that differ in one string field: `make(value)` fills it in and builds the JSON from two cached
    halves, without encoding the rest again. `fields` must hold `key` (any placeholder value)."""

    _MARK = "\x00"

    def __init__(self, fields: dict[str, Any], key: str):
        self.fields, self.key = fields, key
        head, mark, tail = dumps({**fields, key: self._MARK}).partition(f'"{key}":{dumps(self._MARK)}')
        if not mark:
            raise ValueError(f"{key!r} is not a field of the template")
        self.head, self.tail = head + f'"{key}":', tail

    def make(self, value: str) -> Event:
        event = Event(self.fields)
        event[self.key] = value
        event.json = self.head + dumps(value) + self.tail
        return event
