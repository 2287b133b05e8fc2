"""Reference queue: a bare RQ job, run by `rq worker` (forking) or `rq worker -w rq.worker.SimpleWorker`.

    rq worker --url redis://127.0.0.1:6379/13 -w rq.worker.SimpleWorker ref-rq-simple
    Queue("ref-rq-simple", connection=r).enqueue("bench.refs.ref_rq.noop")

Enqueue -> `job.started_at` is the floor for our enqueue -> `workflow_started`.
"""
from __future__ import annotations

WORKER_CLASSES = {"forking": "rq.worker.Worker", "simple": "rq.worker.SimpleWorker"}


def noop() -> int:
    """The job: nothing, so that only the queue's own cost is measured."""
    return 1
