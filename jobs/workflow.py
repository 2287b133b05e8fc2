"""RQ job: run one workflow run (STYLE G13: small, idempotent, takes an id)."""
from __future__ import annotations

from flask import current_app

from api.extensions import db, get_redis
from services.workflow.executor import execute_run


def run_workflow(run_id: str) -> None:
    """Execute workflow run `run_id` on this worker. A run that is no longer running is skipped."""
    db.engine.dispose(close=False)  # never share the parent's pooled connections after fork
    execute_run(run_id, get_redis(), current_app.config)
