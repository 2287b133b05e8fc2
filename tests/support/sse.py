"""A client-side SSE reader for tests: bytes in arbitrary pieces → frames, as a browser would read them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator


@dataclass
class Frame:
    event_id: str | None
    event: str | None  # the `event:` field (only "ping" is used)
    data: dict[str, Any] | None

    @property
    def name(self) -> str:
        return self.data["event"] if self.data else (self.event or "")


def frames(chunks: Iterable[bytes]) -> Iterator[Frame]:
    """Split a byte stream into frames at blank lines; UTF-8 is decoded only on whole lines."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        while b"\n\n" in buffer:
            raw, buffer = buffer.split(b"\n\n", 1)
            yield _parse(raw.decode("utf-8"))
    assert buffer.strip() == b"", f"stream ended inside a frame: {buffer!r}"


def run_events(chunks: Iterable[bytes]) -> list[Frame]:
    """The data frames of a run's stream, without `workflow_queued` notices (they come only while the run
    waits for a worker, which a busy test machine may make it do)."""
    return [f for f in frames(chunks) if f.data and f.name != "workflow_queued"]


def _parse(text: str) -> Frame:
    fields: dict[str, str] = {}
    for line in text.split("\n"):
        name, _, value = line.partition(": ")
        fields[name] = value
    data = json.loads(fields["data"]) if "data" in fields else None
    return Frame(event_id=fields.get("id"), event=fields.get("event"), data=data)


def rechunk(body: bytes, size: int) -> Iterator[bytes]:
    """`body` in pieces of `size` bytes (splitting frames and multi-byte characters anywhere)."""
    for start in range(0, len(body), size):
        yield body[start:start + size]
