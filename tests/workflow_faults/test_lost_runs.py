"""Runs nobody follows whose worker dies, and a database connection dropped under a running workflow."""
from __future__ import annotations

import time

import psycopg2

from api.extensions import db
from models import WorkflowNodeExecution
from services.workflow.liveness import HEARTBEAT_TTL
from tests.conftest import PG_SERVER
from tests.support.fake_openai import Reply
from tests.support.rq_worker import PYTHON
from tests.support.sse import frames, run_events
from tests.workflow_faults.support import SLOW_APP, run_status, stored_run, wait_until

SWEEP = 1.0
WORKER_APP_NAME = "wffault-worker"


def _until_llm_runs(response) -> list:
    """Read the stream until the first LLM node runs, then hang up (nobody follows the run any more)."""
    seen = []
    for frame in frames(response.response):
        seen.extend([frame] if frame.data and frame.name != "workflow_queued" else [])
        if frame.name == "node_started" and frame.data["data"]["node_type"] == "llm":
            break
    response.close()
    assert seen and seen[-1].name == "node_started", [f.name for f in seen]
    return seen


def test_worker_killed_while_nobody_follows_fails_the_run_within_the_detection_time(
        app, caller, start_worker, upstream, redis_client):
    upstream.default = lambda body: Reply(text="k" * 400, chunk_size=2, pace=0.05)
    user = caller(SLOW_APP)
    doomed = start_worker(WORKFLOW_SWEEP_INTERVAL="0")
    # a bystander process on another queue: it never takes the run, its sweeper notices the loss
    start_worker([str(PYTHON), "-m", "api.worker", "elsewhere"], WORKFLOW_SWEEP_INTERVAL=str(SWEEP))
    seen = _until_llm_runs(user.run("hello"))
    run_id, task_id = seen[0].data["workflow_run_id"], seen[0].data["task_id"]
    wait_until(lambda: redis_client.exists("workflow_sweep_lock"), timeout=15)
    doomed.kill()
    killed_at = time.monotonic()
    wait_until(lambda: run_status(app, run_id) == "failed", timeout=HEARTBEAT_TTL + SWEEP + 3)
    detected_in = time.monotonic() - killed_at
    assert detected_in <= HEARTBEAT_TTL + SWEEP + 2, detected_in
    assert "worker" in stored_run(app, run_id).error
    resumed = run_events([user.resume(task_id, {**user.headers, "Last-Event-ID": seen[-1].event_id}).data])
    assert resumed[-1].name == "workflow_finished" and resumed[-1].data["data"]["status"] == "failed"


def test_database_connections_dropped_mid_run_still_store_the_finished_run(app, caller, start_worker, upstream,
                                                                           backend_settings):
    upstream.default = lambda body: Reply(text="s" * 60, chunk_size=2, pace=0.05)
    user = caller(SLOW_APP)
    start_worker(DATABASE_URL=f"{backend_settings['DATABASE_URL']}?application_name={WORKER_APP_NAME}")
    response = user.run("hello")
    got, dropped = [], 0
    for frame in frames(response.response):
        got.extend([frame] if frame.data and frame.name != "workflow_queued" else [])
        if frame.name == "text_chunk" and not dropped:
            dropped = _terminate_worker_connections(backend_settings["DATABASE_URL"])
    assert dropped >= 1, "the worker held no database connection to drop"
    finished = got[-1].data
    assert got[-1].name == "workflow_finished" and finished["data"]["status"] == "succeeded", finished
    assert finished["data"]["outputs"]
    run = stored_run(app, finished["workflow_run_id"])
    assert run.status == "succeeded" and run.outputs == finished["data"]["outputs"]
    with app.app_context():
        nodes = db.session.execute(db.select(WorkflowNodeExecution).filter_by(workflow_run_id=run.id)).all()
    assert len(nodes) == [f.name for f in got].count("node_finished")


def _terminate_worker_connections(database_url: str) -> int:
    """pg_terminate_backend on every session of the worker (this run's own test database only)."""
    conn = psycopg2.connect(f"{PG_SERVER}/{database_url.rsplit('/', 1)[1]}")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = %s AND pid <> pg_backend_pid()", (WORKER_APP_NAME,))
        count = cur.fetchone()[0]
    conn.close()
    return count


def test_run_whose_worker_died_reports_the_time_and_tokens_it_spent(app, caller, start_worker, upstream):
    # start -> LLM (quick, 5+ tokens) -> if-else -> LLM (slow: the worker dies during it)
    upstream.script(Reply(text="quick answer"))
    upstream.default = lambda body: Reply(text="k" * 400, chunk_size=2, pace=0.05)
    user = caller(SLOW_APP)
    doomed = start_worker(WORKFLOW_SWEEP_INTERVAL="0")
    llm_nodes, finished = 0, None
    for frame in frames(user.run("hello").response):  # this follower notices the loss and ends the stream
        if frame.name == "node_started" and frame.data["data"]["node_type"] == "llm":
            llm_nodes += 1
            if llm_nodes == 2:
                doomed.kill()
        if frame.name == "workflow_finished":
            finished = frame.data["data"]
            break
    assert llm_nodes == 2 and finished is not None and finished["status"] == "failed", finished
    run = stored_run(app, finished["id"])
    assert "worker" in run.error
    assert finished["elapsed_time"] > 0 and finished["total_tokens"] > 0 and finished["total_steps"] >= 3, finished
    stored = (round(run.elapsed_time, 4), run.total_tokens, run.total_steps)
    assert stored == (finished["elapsed_time"], finished["total_tokens"], finished["total_steps"])
