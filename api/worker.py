"""RQ worker entry (no gevent patching; STYLE G4): `python -m api.worker [--burst] [queue ...]`.

WORKFLOW_WORKER_CLASS picks how jobs run: `simple` (default) runs each job in this process, which keeps
its database pool, compiled SQL, imported engine and template renderers warm from job to job; `fork`
runs each in a forked work horse (a job that crashes the interpreter takes only the horse down). Either
way each job gets an app context (so a database session) of its own, removed when the job ends, and
the engine is imported and its lookups compiled before the first job. A worker killed mid-run, of either
kind, has its run failed by heartbeat expiry (services/workflow/liveness.py, sweeper.py).

Besides running jobs, the worker process sweeps lost workflow runs every WORKFLOW_SWEEP_INTERVAL seconds
(services/workflow/sweeper.py). A bare `rq worker --url "$REDIS_URL" workflows` runs jobs too, without that sweep.
"""
from __future__ import annotations

import argparse
from typing import Any

from flask import Flask
from rq import SimpleWorker, Worker

from api.app import create_app
from api.extensions import get_redis
from services.workflow import executor, sweeper


class _JobContext:
    """Performs each job inside an app context of its own: a fresh database session that is removed
    (rolled back, its connection returned to the pool) when the job ends, whatever the job left behind."""

    def __init__(self, *args: Any, app: Flask, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.app = app

    def perform_job(self, *args: Any, **kwargs: Any) -> bool:
        with self.app.app_context():
            return super().perform_job(*args, **kwargs)


class AppSimpleWorker(_JobContext, SimpleWorker):
    """Runs jobs one at a time in the worker process itself."""


class AppForkingWorker(_JobContext, Worker):
    """Runs each job in a forked work horse."""


WORKER_CLASSES = {"simple": AppSimpleWorker, "fork": AppForkingWorker}


def build_worker(app: Flask, queues: list[str], name: str | None = None) -> Worker:
    """The worker WORKFLOW_WORKER_CLASS names, on `queues` (ValueError for an unknown name)."""
    kind = app.config["WORKFLOW_WORKER_CLASS"]
    if kind not in WORKER_CLASSES:
        raise ValueError(f"WORKFLOW_WORKER_CLASS must be one of {sorted(WORKER_CLASSES)}, not {kind!r}")
    return WORKER_CLASSES[kind](queues, connection=get_redis(), name=name, app=app)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run an RQ worker for llm-web-api.")
    parser.add_argument("queues", nargs="*", help="queue names (default: WORKFLOW_QUEUE)")
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        worker = build_worker(app, args.queues or [app.config["WORKFLOW_QUEUE"]], args.name)
        executor.preload()  # before any fork: work horses inherit the imports and the compiled SQL
        # the sweeper thread lives in this process only: fork copies just the forking thread into the work
        # horse, which makes fresh database connections (jobs/workflow.py) and Redis connections (redis-py)
        sweeper.start(app)
        worker.work(burst=args.burst, logging_level=app.config["LOG_LEVEL"])


if __name__ == "__main__":
    main()
