"""CODE_SANDBOX_* settings reach the code nodes a real RQ worker runs."""
from __future__ import annotations

import pytest

from tests.factories import auth_headers, passport
from tests.support.rq_worker import RQWorker, worker_env
from tests.workflow_api.test_workflow_runs import _import


@pytest.mark.parametrize("extra, status, error", [
    ({}, "succeeded", None),
    ({"CODE_SANDBOX_BWRAP": "/bin/false"}, "failed",
     "Code execution is unavailable: the code sandbox cannot isolate code on this host"),
])
def test_worker_runs_code_nodes_with_the_configured_sandbox(app, client, runner, backend_settings, extra, status,
                                                            error):
    code = _import(runner, "dify-fx-conditional-parallel-code.yml")
    token = passport(client, code)
    with RQWorker(worker_env(backend_settings, **extra)):
        body = client.post("/api/workflows/run", headers=auth_headers(code, token),
                           json={"inputs": {"switch": 1}, "response_mode": "blocking"}).get_json()
    assert body["data"]["status"] == status, body
    if error:
        assert body["data"]["error"].startswith(error)
    else:
        assert body["data"]["outputs"] == {"1": "Code 1", "2": "Code 2", "3": None}
