"""RQ job: run one workflow run (STYLE G13: small, idempotent, takes an id)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from flask import Flask, current_app, has_app_context
from rq import get_current_job

from api.extensions import db, get_redis
from services.workflow import liveness
from services.workflow.executor import execute_run

_IMPORTED_IN = os.getpid()


def run_workflow(run_id: str, task_id: str | None = None) -> None:
    """Execute workflow run `run_id` on this worker. A run that is no longer running is skipped.

    Works under `python -m api.worker` (which pushes the app context once) and under a bare
    `rq worker --url "$REDIS_URL" workflows` (no app context: the job builds the app from the environment).
    """
    job = get_current_job()
    if task_id and job is not None:  # beat before building an app, which can take seconds on a busy host
        liveness.beat_once(job.connection, task_id)
    try:
        with _app_context():
            if os.getpid() != _IMPORTED_IN:  # a forked work horse never shares its parent's pooled connections
                db.engine.dispose(close=False)
            execute_run(run_id, get_redis(), current_app.config)
    except Exception:
        if task_id and job is not None:  # not a lost worker: the sweeper reports the job's own failure
            liveness.forget(job.connection, task_id)
        raise


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
