"""Thin SSE responses: whole frames, each flushed as it is produced (spec Decisions, STYLE G12)."""
from __future__ import annotations

from typing import Any, Callable, Iterator

from flask import Response, request
from pydantic import BaseModel

from api.errors import error_body
from controllers.common.payload import query_args
from controllers.openapi.operation import Header
from core import shutdown
from core.sse import PING_FRAME, frame
from core.task_channel import is_terminal

LAST_EVENT_ID = Header("Last-Event-ID",
                       "`<task_id>:<seq>` (or `<seq>`) of the last event seen; replay starts after it.")

Item = tuple[int, dict[str, Any]] | None


def sse_response(task_id: str, events: Iterator[Item | list[Item]],
                 on_abort: Callable[[], None] | None = None) -> Response:
    """Stream `events` as frames with `id: <task_id>:<seq>`; `None` items become pings. A list of items
    (events already queued) is written as one chunk of whole frames.

    `on_abort` runs when the client goes away before the stream ended. A stream cut short by this
    process shutting down ends with `shutdown.interrupted_event`, one whose source failed (e.g. Redis
    went away under a resume) with that error as an `error` event; neither has an `id:` line, so the
    client's Last-Event-ID still points at the last event it really got.
    """

    def body() -> Iterator[bytes]:
        finished, last = False, None
        try:
            for entry in events:
                items = entry if isinstance(entry, list) else [entry]
                if items[-1] is not None:
                    last = items[-1][1]
                yield "".join(PING_FRAME if item is None else frame(item[1], f"{task_id}:{item[0]}")
                              for item in items).encode()
            if shutdown.is_draining() and not is_terminal(last):
                yield frame(shutdown.interrupted_event(task_id)).encode()
            finished = True
        except Exception as exc:  # noqa: BLE001 - after the first byte an error can only be reported in-band
            finished = True
            yield frame({"event": "error", "task_id": task_id, **error_body(exc)}).encode()
        finally:
            if not finished and on_abort is not None:
                on_abort()

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(body(), mimetype="text/event-stream", headers=headers, direct_passthrough=True)


class EventsQuery(BaseModel):
    """The query of the resume routes (for clients that cannot set Last-Event-ID)."""

    last_event_id: str | None = None


def last_event_id() -> str | None:
    """Where a resuming client left off: the Last-Event-ID header, else `?last_event_id=`."""
    return request.headers.get("Last-Event-ID") or query_args(EventsQuery).last_event_id
