"""End-to-end fixtures: the real gunicorn + gevent server on the test PostgreSQL and Redis.

Apps are created through the in-process `app` fixture (same database); the tests then speak HTTP
to the live server. Each module shares one upstream and one server per grace setting; a test says
what the upstream answers through `reply`, which sets the fake's default behaviour for every request.
"""
from __future__ import annotations

import pytest

from tests.conftest import BACKEND
from tests.factories import make_app
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.support.live_server import LiveServer, server_env

# The real server needs a database and a Redis that another process can reach.
collect_ignore_glob = ["test_*.py"] if BACKEND == "embedded" else []


@pytest.fixture(scope="module")
def upstream():
    with FakeOpenAI() as fake:
        yield fake


def _live(backend_settings, upstream, **extra):
    return LiveServer(server_env(backend_settings, upstream.base_url, LLM_READ_TIMEOUT=5, **extra))


@pytest.fixture(scope="module")
def server(backend_settings, _schema, upstream):
    """Base URL of a server that stops a run as soon as its client disconnects (grace 0)."""
    with _live(backend_settings, upstream, STREAM_RESUME_GRACE_SECONDS=0) as live:
        yield live.url


@pytest.fixture(scope="module")
def resumable_server(backend_settings, _schema, upstream):
    """Base URL of a server that keeps a run going 10 s after its client disconnects."""
    with _live(backend_settings, upstream, STREAM_RESUME_GRACE_SECONDS=10) as live:
        yield live.url


@pytest.fixture
def reply(upstream):
    """`reply(Reply(...))` makes every upstream request of this test answer with that reply."""
    original = upstream.default

    def use(behaviour: Reply) -> Reply:
        upstream.default = lambda body: behaviour
        return behaviour

    yield use
    upstream.default = original


@pytest.fixture
def make_code(app):
    """`make_code(**fields)` creates a chat app in the test database and returns its site code."""
    return lambda **fields: make_app(app, **fields)["code"]
