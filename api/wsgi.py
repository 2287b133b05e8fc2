"""Serving entry point: gevent patching first, then the app (STYLE G4).

gunicorn -k gevent -c deploy/gunicorn.conf.py api.wsgi:app

deploy/gunicorn.conf.py calls `install_graceful_shutdown` in each worker and `drain_streams` when
it exits: on SIGTERM every stream of the worker ends with a terminal frame and every run saves what
it generated, well before gunicorn's graceful_timeout kills what is left.
"""
from gevent import monkey

monkey.patch_all()

from psycogreen.gevent import patch_psycopg  # noqa: E402 - must follow patching

patch_psycopg()

import signal  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402

from api.app import create_app  # noqa: E402
from services.generation import live_runs  # noqa: E402

app = create_app()
DRAIN_MARGIN_SECONDS = 2.0  # left to gunicorn to close the finished responses


def install_graceful_shutdown(worker: Any) -> None:
    """Chain the gunicorn worker's SIGTERM handler (it stops accepting) with `drain_streams`."""
    previous = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum, frame):
        if callable(previous):
            previous(signum, frame)
        # a connection whose stream just ended must not then idle for a next request until `keepalive`
        worker.cfg.set("keepalive", 0)
        gevent.spawn(drain_streams, worker.cfg.graceful_timeout)  # must not block here: it may run in the hub

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.siginterrupt(signal.SIGTERM, False)


def drain_streams(graceful_timeout: float) -> int:
    """Stop this process's runs and end its followers; returns how many runs did not close in time."""
    budget = max(1.0, graceful_timeout - DRAIN_MARGIN_SECONDS)
    return live_runs.drain(min(float(app.config["SHUTDOWN_DRAIN_SECONDS"]), budget))
