"""Server-Sent Events framing: one whole frame per write (spec Decisions, §3.1)."""
from __future__ import annotations

import json
from typing import Any

PING_FRAME = "event: ping\n\n"


def dumps(data: Any) -> str:
    """Compact UTF-8 JSON, as Dify writes it (no ASCII escaping)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def frame(data: dict[str, Any], event_id: str | None = None) -> str:
    """`id: ...` (optional) and `data: {...}` lines followed by the blank line that ends the frame."""
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}data: {dumps(data)}\n\n"
