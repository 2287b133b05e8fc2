"""A workflow started while no worker runs: announced as queued, then failed with a clear error."""
from __future__ import annotations

import time

import pytest

from api.extensions import get_redis
from services.workflow import sweeper
from tests.support.sse import frames
from tests.workflow_faults.support import QUICK_APP, run_status

QUEUE_TIMEOUT = 2.5
NO_WORKER = f"No worker picked up this run within {QUEUE_TIMEOUT:g} s"


@pytest.fixture
def app_overrides(app_overrides):
    return {**app_overrides, "WORKFLOW_QUEUE_TIMEOUT": QUEUE_TIMEOUT, "WORKFLOW_SWEEP_INTERVAL": 1.0}


def _first_notice(response):
    for frame in frames(response.response):
        if frame.name == "workflow_queued":
            response.close()
            return frame
    raise AssertionError("no workflow_queued event")


def test_queued_runs_are_announced_with_their_position_then_fail_with_a_clear_error(app, caller):
    user = caller(QUICK_APP)
    first = _first_notice(user.run(1))  # its client hangs up: nobody follows it any more
    assert first.data["data"] == {"position": 1, "queue": "workflows"}
    assert first.event_id == f"{first.data['task_id']}:0", "not a logged event: resuming from it replays all"
    started = time.monotonic()
    got = [f for f in frames(user.run(1).response) if f.data]
    elapsed = time.monotonic() - started
    assert got[0].name == "workflow_queued" and got[0].data["data"]["position"] == 2
    assert got[-1].name == "workflow_finished", [f.name for f in got]
    finished = got[-1].data["data"]
    assert finished["status"] == "failed" and finished["error"].startswith(NO_WORKER), finished
    assert QUEUE_TIMEOUT - 0.5 <= elapsed <= QUEUE_TIMEOUT + 3, elapsed
    assert run_status(app, finished["id"]) == "failed"
    with app.app_context():  # what every web process's sweeper thread runs: fails the unfollowed run too
        assert sweeper.sweep(get_redis(), app.config) == 1
    assert run_status(app, first.data["workflow_run_id"]) == "failed"


def test_blocking_run_with_no_worker_answers_the_failed_run(app, caller):
    user = caller(QUICK_APP)
    started = time.monotonic()
    response = user.run(0, mode="blocking")
    assert time.monotonic() - started <= QUEUE_TIMEOUT + 3
    body = response.get_json()
    assert response.status_code == 200 and body["data"]["status"] == "failed", body
    assert body["data"]["error"].startswith(NO_WORKER)
    assert run_status(app, body["workflow_run_id"]) == "failed"
