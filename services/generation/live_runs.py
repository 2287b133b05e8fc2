"""The completion and chat runs executing in this process, so a stopping server can end them cleanly."""
from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from core import shutdown

log = logging.getLogger(__name__)


class LiveRun(Protocol):
    closed: threading.Event

    def stop(self, reason: str) -> None: ...


_runs: set[LiveRun] = set()
_lock = threading.Lock()


def add(run: LiveRun) -> None:
    with _lock:
        _runs.add(run)


def discard(run: LiveRun) -> None:
    with _lock:
        _runs.discard(run)


def drain(timeout: float) -> int:
    """Shut this process's streams down: followers end, every run stops with reason "shutdown".

    Waits up to `timeout` s until each run saved its answer and wrote its terminal event to the
    replay log. Returns how many runs had not closed by then. Idempotent.
    """
    shutdown.begin()
    with _lock:
        runs = list(_runs)
    for run in runs:
        run.stop("shutdown")
    deadline = time.monotonic() + timeout
    for run in runs:
        run.closed.wait(max(0.0, deadline - time.monotonic()))
    left = sum(not run.closed.is_set() for run in runs)
    if runs:
        log.warning("shutdown: stopped %d run(s), %d not closed within %.1f s", len(runs), left, timeout)
    return left
