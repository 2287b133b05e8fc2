"""Server-Sent Events parsing for MCP streams (``event``, ``data``, ``id`` and ``retry`` fields)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from core.llm.sse_reader import iter_lines


@dataclass(frozen=True)
class SseEvent:
    """One dispatched event. ``id`` is None when the event carried no id field."""

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: float | None = None  # seconds


def iter_events(chunks: Iterable[bytes]) -> Iterator[SseEvent]:
    """Yield the events of an SSE byte stream, per the WHATWG rules.

    Multi-line ``data`` is joined with newlines; comments are skipped. An event with no data is still
    yielded when it carries an ``id`` or ``retry`` (MCP servers send such "priming" events so the client
    can resume), otherwise dropped. A final event without its blank line is discarded, as browsers do.
    """
    fields: dict = {}
    data: list[str] = []
    for line in iter_lines(chunks):
        if not line:
            if data or "id" in fields or "retry" in fields:
                yield SseEvent(fields.get("event") or "message", "\n".join(data), fields.get("id"), fields.get("retry"))
            fields, data = {}, []
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            fields["event"] = value
        elif name == "id" and "\0" not in value:
            fields["id"] = value
        elif name == "retry" and value.isdigit():
            fields["retry"] = int(value) / 1000.0
