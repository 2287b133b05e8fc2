"""Helpers of the workflow fault tests: an end user of an imported DSL app, polling, stored rows."""
from __future__ import annotations

import time
from typing import Any, Callable

from api.extensions import db
from models import WorkflowRun
from tests.conftest import DSL_SAMPLES
from tests.factories import auth_headers, passport

SLOW_APP = "awesome-translation-workflow.yml"  # start -> LLM (streamed) -> end
QUICK_APP = "dify-fx-dual-switch-aggregator.yml"  # no LLM
CHAT_APP = "awesome-artifact.yml"  # a chatflow (advanced-chat) with an LLM


class Caller:
    """An end user of one imported DSL app, calling the web API through the test client."""

    def __init__(self, client, runner, dsl: str):
        result = runner.invoke(args=["apps", "import", str(DSL_SAMPLES / dsl)])
        assert result.exit_code == 0, result.output
        self.client, self.code = client, result.output.split("code=")[1].split()[0]
        self.headers = auth_headers(self.code, passport(client, self.code))
        form = client.get("/api/parameters", headers=self.headers).get_json()["user_input_form"]
        self.variables = [next(iter(f.values()))["variable"] for f in form]

    def run(self, value: Any, mode: str = "streaming"):
        inputs = {name: value for name in self.variables}
        return self.client.post("/api/workflows/run", headers=self.headers, buffered=mode == "blocking",
                                json={"inputs": inputs, "response_mode": mode})

    def resume(self, task_id: str, headers: dict[str, str] | None = None):
        return self.client.get(f"/api/workflow/{task_id}/events", headers=headers or self.headers)


def wait_until(predicate: Callable[[], Any], timeout: float, step: float = 0.1) -> Any:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"not true within {timeout} s"
        time.sleep(step)


def run_status(app, run_id: str) -> str:
    """The run's status as stored now (a fresh session)."""
    with app.app_context():
        return db.session.get(WorkflowRun, run_id).status


def stored_run(app, run_id: str) -> WorkflowRun:
    with app.app_context():
        run = db.session.get(WorkflowRun, run_id)
        db.session.expunge(run)
        return run
