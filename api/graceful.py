"""Graceful shutdown of a gunicorn gevent worker (the serving edge: deploy/gunicorn.conf.py calls these).

On SIGTERM gunicorn stops accepting and waits up to graceful_timeout for open responses before it
kills them. `install` makes the worker also end every stream itself at once: each run of the
process stops with reason "shutdown" (partial answer saved, message_end sent, replay log written),
each follower ends with a resumable frame, and keep-alive connections close after their response.
"""
from __future__ import annotations

import signal
from typing import Any

import gevent

from services.generation import live_runs

DRAIN_MARGIN_SECONDS = 2.0  # left to gunicorn to close the finished responses


def install(worker: Any) -> None:
    """Chain the worker's SIGTERM handler (gunicorn's stops accepting) with `drain`."""
    previous = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum, frame):
        if callable(previous):
            previous(signum, frame)
        # a connection whose stream just ended must not then idle for a next request until `keepalive`
        worker.cfg.set("keepalive", 0)
        gevent.spawn(drain, worker)  # must not block here: the handler may run in the hub

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.siginterrupt(signal.SIGTERM, False)


def drain(worker: Any) -> int:
    """Stop the worker's runs and end its followers; returns how many runs did not close in time."""
    budget = max(1.0, worker.cfg.graceful_timeout - DRAIN_MARGIN_SECONDS)
    return live_runs.drain(min(float(worker.wsgi.config["SHUTDOWN_DRAIN_SECONDS"]), budget))
