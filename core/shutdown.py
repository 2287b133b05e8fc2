"""Process-wide shutdown state: once the serving edge starts draining, event streams stop waiting.

A stream that ends because its process is going away (rather than because its run ended) closes
with `interrupted_event`: an in-band error the Dify front end shows (it acts on status 400), marked
`resumable` for clients that reconnect through the events route with their last event id.
"""
from __future__ import annotations

import threading
from typing import Any

INTERRUPTED_MESSAGE = ("The server is restarting; the run goes on. Reconnect to its events route with the last "
                       "event id to follow it to the end.")
_draining = threading.Event()


def begin() -> None:
    """Mark this process as shutting down (idempotent)."""
    _draining.set()


def is_draining() -> bool:
    return _draining.is_set()


def interrupted_event(task_id: str) -> dict[str, Any]:
    """The frame that ends a stream cut by the shutdown of the process serving it."""
    return {"event": "error", "task_id": task_id, "code": "server_restarting", "status": 400,
            "message": INTERRUPTED_MESSAGE, "resumable": True}
