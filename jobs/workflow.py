"""RQ job: run one workflow run (STYLE G13: small, idempotent, takes an id)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from flask import Flask, current_app, has_app_context

from api.extensions import db, get_redis
from services.workflow.executor import execute_run

_IMPORTED_IN = os.getpid()


def run_workflow(run_id: str) -> None:
    """Execute workflow run `run_id` on this worker. A run that is no longer running is skipped.

    Works under `python -m api.worker` (which pushes the app context once) and under a bare
    `rq worker --url "$REDIS_URL" workflows` (no app context: the job builds the app from the environment).
    """
    with _app_context():
        if os.getpid() != _IMPORTED_IN:  # a forked work horse never shares its parent's pooled connections
            db.engine.dispose(close=False)
        execute_run(run_id, get_redis(), current_app.config)


@contextmanager
def _app_context() -> Iterator[None]:
    if has_app_context():
        yield
        return
    with _worker_app().app_context():
        yield


@lru_cache(maxsize=1)
def _worker_app() -> Flask:
    # imported here: api.app registers the controllers, which import this module to enqueue the job
    from api.app import create_app

    return create_app()
