"""Faults injected into workflow runs on real processes: RQ workers, PostgreSQL, Redis (own server when restarted)."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from tests.support.rq_worker import RQWorker, worker_env
from tests.workflow_api.conftest import app_overrides  # noqa: F401 - the fake LLM's config
from tests.workflow_faults.support import Caller


@pytest.fixture
def start_worker(backend_settings, upstream, app_overrides):  # noqa: F811 - the imported fixtures
    """Start real RQ workers on the app's Redis (`extra` env wins); all are stopped after the test."""
    started: list[RQWorker] = []

    def start(command: list[str] | None = None, **extra: Any) -> RQWorker:
        env = worker_env(backend_settings, OPENAI_API_BASE=upstream.base_url, OPENAI_API_KEY="sk-test",
                         REDIS_URL=app_overrides.get("REDIS_URL", backend_settings["REDIS_URL"]), **extra)
        worker = RQWorker(env, command).__enter__()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.__exit__(None, None, None)


@pytest.fixture
def caller(client, runner) -> Callable[[str], Caller]:
    return lambda dsl: Caller(client, runner, dsl)


@pytest.fixture
def redis_client(app):
    """The app's Redis client (the shared test server, or a test's own server when it overrides REDIS_URL)."""
    return app.extensions["redis"]
