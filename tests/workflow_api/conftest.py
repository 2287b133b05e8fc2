"""Workflow runs through the web API, executed by a real RQ worker process."""
from __future__ import annotations

import pytest

from tests.support.rq_worker import RQWorker, worker_env


@pytest.fixture
def app_overrides(upstream):
    return {"OPENAI_API_BASE": upstream.base_url, "OPENAI_API_KEY": "sk-test"}


@pytest.fixture
def worker(backend_settings, upstream):
    with RQWorker(worker_env(backend_settings, OPENAI_API_BASE=upstream.base_url, OPENAI_API_KEY="sk-test")) as w:
        yield w
