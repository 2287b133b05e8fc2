"""Browser tests: Debian's headless Chromium (never a downloaded build) driving the pages of a live server.

The server is the real gunicorn + gevent process (tests/support/live_server.py) on the test PostgreSQL and
Redis, with a loopback FakeOpenAI upstream and an RQ worker for workflow runs. Apps are created through the
in-process `app` fixture (same database). Each test gets a fresh browser context (fresh storage) and leaves a
screenshot in tests/artifacts/.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests

from tests.conftest import BACKEND
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.support.live_server import LiveServer, server_env
from tests.support.rq_worker import RQWorker, worker_env

# The real server needs a database and a Redis that another process can reach.
collect_ignore_glob = ["test_*.py"] if BACKEND == "embedded" else []

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
INSTALL_HINT = "install it as root with: apt-get update && apt-get install -y chromium"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run (Playwright gives each launch a fresh temporary profile)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: {INSTALL_HINT}", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the Python package playwright is missing: .venv/bin/pip install playwright "
                    "(its browser download is not needed)", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=20_000)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """tests/artifacts/ (gitignored): screenshots of every browser test."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(browser, request, artifacts):
    """A page in a new context; uncaught page errors fail the test; a screenshot is kept either way."""
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    context.set_default_timeout(8_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    try:
        opened.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="module")
def upstream():
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(backend_settings, _schema, upstream):
    """Base URL of the live server; a run whose page goes away is stopped at once (grace 0)."""
    env = server_env(backend_settings, upstream.base_url, LLM_READ_TIMEOUT=5, STREAM_RESUME_GRACE_SECONDS=0)
    with LiveServer(env) as live:
        if requests.get(f"{live.url}/chat/probe", timeout=5).status_code == 404:
            pytest.fail("the pages are not served: register controllers.pages.create_blueprint() in "
                        "controllers/__init__.py (app.register_blueprint(pages.create_blueprint()))", pytrace=False)
        yield live.url


@pytest.fixture(scope="module")
def worker(backend_settings, _schema, upstream):
    """An RQ worker for workflow runs, talking to the same upstream."""
    with RQWorker(worker_env(backend_settings, OPENAI_API_BASE=upstream.base_url, OPENAI_API_KEY="sk-test")) as rq:
        yield rq


@pytest.fixture
def reply(upstream):
    """`reply(Reply(...))` makes every upstream request of this test answer with that reply."""
    original = upstream.default

    def use(behaviour: Reply) -> Reply:
        upstream.default = lambda body: behaviour
        return behaviour

    yield use
    upstream.default = original
