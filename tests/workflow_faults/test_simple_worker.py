"""The default `python -m api.worker` runs jobs in its own process: a failing job must not harm the next."""
from __future__ import annotations

from api.extensions import db
from models import App
from tests.support.rq_worker import RQ
from tests.workflow_faults.support import QUICK_APP, run_status, stored_run
from tests.workflow_faults.test_job_failures import _queued_then


def test_a_failed_job_ends_its_run_failed_and_the_same_worker_runs_the_next_one(app, caller, start_worker):
    user = caller(QUICK_APP)
    workers, saved = [], {}

    def break_the_app_then_start_a_worker(run_id: str) -> None:
        with app.app_context():
            broken = db.session.get(App, stored_run(app, run_id).app_id)
            saved.update(id=broken.id, workflow=broken.workflow)
            broken.workflow = {}  # the job reads ["graph"]: KeyError inside the worker process itself
            db.session.commit()
        workers.append(start_worker(WORKFLOW_WORKER_CLASS="simple"))

    got = _queued_then(user.run(1), break_the_app_then_start_a_worker)
    finished = got[-1].data["data"]
    assert finished["status"] == "failed" and finished["error"].startswith("The workflow job failed: KeyError")
    assert run_status(app, finished["id"]) == "failed"
    with app.app_context():
        db.session.get(App, saved["id"]).workflow = saved["workflow"]
        db.session.commit()
    body = user.run(1, mode="blocking").get_json()
    assert body["data"]["status"] == "succeeded", body
    assert workers[0].process.poll() is None  # the same worker process took both jobs and lives on


def test_a_bare_rq_simple_worker_runs_workflow_after_workflow(app, caller, start_worker):
    """`rq worker -w rq.SimpleWorker ...` (no app context of ours): the job builds the app once, and each
    job still gets a session of its own."""
    user = caller(QUICK_APP)
    worker = start_worker([str(RQ), "worker", "-w", "rq.SimpleWorker", "--url", app.config["REDIS_URL"],
                           "workflows"])
    for _ in range(3):
        body = user.run(1, mode="blocking").get_json()
        assert body["data"]["status"] == "succeeded" and body["data"]["outputs"], body
    assert worker.process.poll() is None
