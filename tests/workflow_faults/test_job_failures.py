"""Workflow jobs under the bare `rq worker` command of the Dockerfile, and jobs that fail before the engine."""
from __future__ import annotations

from rq.registry import FailedJobRegistry

from api.extensions import db
from models import App
from tests.support.rq_worker import RQ
from tests.support.sse import frames
from tests.workflow_faults.support import QUICK_APP, run_status, stored_run, wait_until


def _bare_rq_worker(start_worker, app, **env):
    """`rq worker --url "$REDIS_URL" workflows`, as the Dockerfile documents it (no app context of ours)."""
    return start_worker([str(RQ), "worker", "--url", app.config["REDIS_URL"], "workflows"], **env)


def test_the_dockerfile_rq_worker_command_runs_workflows(app, caller, start_worker):
    user = caller(QUICK_APP)
    _bare_rq_worker(start_worker, app)
    body = user.run(1, mode="blocking").get_json()
    assert body["data"]["status"] == "succeeded" and body["data"]["outputs"], body
    assert run_status(app, body["workflow_run_id"]) == "succeeded"


def _queued_then(response, action) -> list:
    """All data frames; `action` runs once the run is known to wait in the queue."""
    got = []
    for frame in frames(response.response):
        if frame.name == "workflow_queued" and not got:
            action(frame.data["workflow_run_id"])
        got.extend([frame] if frame.data else [])
    return got


def test_a_job_failing_before_the_engine_ends_the_run_failed_with_a_terminal_event(
        app, caller, start_worker, redis_client):
    user = caller(QUICK_APP)

    def break_the_app_then_start_a_worker(run_id: str) -> None:
        with app.app_context():
            db.session.get(App, stored_run(app, run_id).app_id).workflow = {}  # the job reads ["graph"]
            db.session.commit()
        _bare_rq_worker(start_worker, app)

    got = _queued_then(user.run(1), break_the_app_then_start_a_worker)
    assert got[-1].name == "workflow_finished", [f.name for f in got]
    finished = got[-1].data["data"]
    assert finished["status"] == "failed" and finished["error"].startswith("The workflow job failed: KeyError")
    assert run_status(app, finished["id"]) == "failed"
    failed_jobs = FailedJobRegistry("workflows", connection=redis_client)
    wait_until(lambda: finished["id"] in failed_jobs, timeout=5)  # the job re-raises: RQ records it too


def test_a_job_that_cannot_even_build_the_app_still_ends_the_run_failed(app, caller, start_worker):
    user = caller(QUICK_APP)
    _bare_rq_worker(start_worker, app, INSTANCE_PATH="/proc/no-such-instance-folder")
    got = [f for f in frames(user.run(1).response) if f.data]
    assert got[-1].name == "workflow_finished", [f.name for f in got]
    finished = got[-1].data["data"]
    assert finished["status"] == "failed" and finished["error"].startswith("The workflow job ended without"), finished
    assert run_status(app, finished["id"]) == "failed"
