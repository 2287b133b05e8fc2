"""`python -m api.worker` in both execution models: each job gets a clean database session."""
from __future__ import annotations

import time

import pytest
from rq import Queue

from api.worker import build_worker
from tests.conftest import build_app
from tests.support import worker_jobs
from tests.support.rq_worker import PYTHON, RQWorker, worker_env


def _result(job, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while job.get_status(refresh=True) not in ("finished", "failed"):
        assert time.monotonic() < deadline, "the job did not end in time"
        time.sleep(0.05)
    assert job.get_status() == "finished", job.latest_result().exc_string
    return job.return_value()


@pytest.mark.parametrize("kind", ["simple", "fork"])
def test_a_job_leaving_a_failed_transaction_does_not_break_the_next_job(app, backend_settings, kind):
    queue = Queue("isolation", connection=app.extensions["redis"])
    broken = queue.enqueue(worker_jobs.leave_the_session_broken)
    after = queue.enqueue(worker_jobs.session_state)
    command = [str(PYTHON), "-m", "api.worker", "isolation"]
    with RQWorker(worker_env(backend_settings, WORKFLOW_WORKER_CLASS=kind), command):
        first_pid, state = _result(broken), _result(after)
    assert state["select"] == 1 and state["inherited"] is False
    assert state["engine_loaded"]  # preloaded by the worker before its first job (no workflow ran here)
    # simple runs both jobs in the worker process itself; fork runs each in a work horse of its own
    assert (first_pid == state["pid"]) is (kind == "simple")


def test_an_unknown_worker_class_is_refused(backend_settings):
    app = build_app(backend_settings, WORKFLOW_WORKER_CLASS="threads")
    with pytest.raises(ValueError, match="WORKFLOW_WORKER_CLASS"):
        build_worker(app, ["workflows"])
