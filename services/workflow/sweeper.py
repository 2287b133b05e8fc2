"""Failing lost workflow runs, followed or not: the verdict on one run and the periodic sweep.

A running run is lost when its worker died (heartbeat expired after it started), when its RQ job is
gone or ended without the run recording an outcome (Redis restarted, the job failed before the engine),
or when it waited in the queue longer than WORKFLOW_QUEUE_TIMEOUT. Every web and worker process sweeps
every WORKFLOW_SWEEP_INTERVAL seconds (a Redis lock lets one scan run per interval across all of them)
and every follower inspects its own run each second; both fail a lost run the same way.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Mapping

import redis
import sqlalchemy as sa
from flask import Flask
from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus

from api.extensions import db, get_redis
from models import WorkflowRun, utcnow
from services.workflow import liveness
from services.workflow.executor import fail_run

log = logging.getLogger(__name__)

WORKER_LOST = "The worker running this workflow stopped unexpectedly."
JOB_LOST = "The workflow run was lost before a worker finished it: its queued job is gone (was Redis restarted?)."
JOB_ENDED = "The workflow job ended without recording the run's outcome: {reason}"
NO_WORKER = "No worker picked up this run within {timeout} s; is an RQ worker running on queue '{queue}'?"
SWEEP_LOCK = "workflow_sweep_lock"
SWEEP_BATCH = 1000
ENDED = frozenset({JobStatus.FAILED, JobStatus.FINISHED, JobStatus.STOPPED, JobStatus.CANCELED})


@dataclass(frozen=True)
class Verdict:
    """`lost`: why the run must be failed (None: leave it). `queued`: it waits for a worker, at `position`
    (1 is next; None while a worker is taking it)."""

    lost: str | None = None
    queued: bool = False
    position: int | None = None


ALIVE = Verdict()


def inspect(client: redis.Redis, run: Any, queue_timeout: float) -> Verdict:
    """The verdict on a `running` run (anything with id, task_id, created_at)."""
    if liveness.is_alive(client, run.task_id):
        return ALIVE
    if liveness.has_started(client, run.task_id):
        return Verdict(lost=WORKER_LOST)
    job = _fetch_job(client, run.id)
    status = job.get_status(refresh=False) if job is not None else None
    if status == JobStatus.QUEUED:
        return _waiting(client, job, run, queue_timeout)
    if (status is None or status in ENDED or status == JobStatus.STARTED) \
            and liveness.suspect_long_enough(client, run.task_id):
        return Verdict(lost=_why(job, status))
    return ALIVE


def _fetch_job(client: redis.Redis, job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=client)
    except NoSuchJobError:
        return None


def _waiting(client: redis.Redis, job: Job, run: Any, queue_timeout: float) -> Verdict:
    if (utcnow() - run.created_at).total_seconds() > queue_timeout:
        try:
            job.cancel()  # a worker that comes up later must not run it
        except InvalidJobOperation:
            pass
        return Verdict(lost=NO_WORKER.format(timeout=_seconds(queue_timeout), queue=job.origin))
    position = Queue(job.origin, connection=client).get_job_position(job.id)
    return Verdict(queued=True, position=None if position is None else position + 1)


def _why(job: Job | None, status: JobStatus | None) -> str:
    if status is None:
        return JOB_LOST
    if status == JobStatus.STARTED:
        return WORKER_LOST
    reason = f"the job {status.value}"
    if status == JobStatus.FAILED:
        lines = (job.exc_info or "").strip().splitlines()
        reason = lines[-1] if lines else "the job failed (see the worker's log)"
    return JOB_ENDED.format(reason=reason)


def _seconds(value: float) -> str:
    return f"{value:g}"


def sweep(client: redis.Redis, config: Mapping[str, Any]) -> int:
    """Fail every lost run, unless another process swept within the interval. Returns how many it failed."""
    interval_ms = int(float(config["WORKFLOW_SWEEP_INTERVAL"]) * 1000)
    if not client.set(SWEEP_LOCK, os.getpid(), nx=True, px=max(interval_ms * 9 // 10, 100)):
        return 0
    query = (sa.select(WorkflowRun.id, WorkflowRun.task_id, WorkflowRun.created_at)
             .where(WorkflowRun.status == "running").order_by(WorkflowRun.created_at).limit(SWEEP_BATCH))
    runs = db.session.execute(query).all()
    db.session.rollback()  # end the read; each failure is its own short transaction
    failed = 0
    for run in runs:
        verdict = inspect(client, run, float(config["WORKFLOW_QUEUE_TIMEOUT"]))
        if verdict.lost and fail_run(client, run.id, verdict.lost, int(config["STREAM_RETENTION_SECONDS"])):
            failed += 1
    return failed


def start(flask_app: Flask) -> threading.Thread | None:
    """Sweep every WORKFLOW_SWEEP_INTERVAL seconds in a daemon thread (None when the interval is 0)."""
    interval = float(flask_app.config["WORKFLOW_SWEEP_INTERVAL"])
    if interval <= 0:
        return None
    thread = threading.Thread(target=_sweep_forever, args=(flask_app, interval), daemon=True,
                              name="workflow-sweeper")
    thread.start()
    return thread


def _sweep_forever(flask_app: Flask, interval: float) -> None:
    stop = threading.Event()  # never set: the thread ends with its process
    while not stop.wait(interval):
        try:
            with flask_app.app_context():
                sweep(get_redis(), flask_app.config)
        except Exception:  # a sweep that failed (Redis or the database away) is retried next interval
            log.exception("workflow sweep failed")
