"""Fault injection against real processes: gunicorn (gevent worker), RQ workers, a redis-server of our own.

The live servers share the test database; Redis faults hit a redis-server this module owns (the
shared one on 6379 is never touched). Apps are created in-process through the `app` fixture.
"""
from __future__ import annotations

import os
import signal

import pytest
import redis

from tests.conftest import BACKEND, DSL_SAMPLES
from tests.e2e.conftest import make_code, reply, upstream  # noqa: F401 - the live-server fixtures, shared
from tests.support.live_server import LiveServer, server_env
from tests.support.redis_server import RedisServer
from tests.support.rq_worker import RQWorker, worker_env

collect_ignore_glob = ["test_*.py"] if BACKEND == "embedded" else []


def live_server(backend_settings, upstream, **extra) -> LiveServer:  # noqa: F811 - `upstream` is a value here
    """A gunicorn server on the test database; `extra` overrides its environment."""
    return LiveServer(server_env(backend_settings, upstream.base_url, LLM_READ_TIMEOUT=5, **extra))


def rq_worker(backend_settings, upstream, **extra) -> RQWorker:  # noqa: F811
    """A real RQ worker process on the test database; `extra` overrides its environment."""
    return RQWorker(worker_env(backend_settings, OPENAI_API_BASE=upstream.base_url, OPENAI_API_KEY="sk-test",
                               **extra))


class FaultyRedis(RedisServer):
    """The throwaway redis-server, also hung (SIGSTOP: the kernel accepts, nothing answers) or restarted with
    its data (saved at shutdown, loaded at start, as a persistent Redis does)."""

    hung = False

    def hang(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)
        self.hung = True

    def unhang(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)
        self.hung = False

    def shut_down_saving(self) -> None:
        redis.Redis.from_url(self.url, socket_timeout=2).shutdown(save=True)
        self.process.wait(timeout=5)

    def ensure_up(self) -> None:
        """Answering again, whatever the test did to it."""
        if self.hung:
            self.unhang()
        if self.process is None or self.process.poll() is not None:
            self.start()

    def __exit__(self, *exc_info) -> None:
        if self.hung:
            self.unhang()
        super().__exit__(*exc_info)


def import_app(runner, name: str) -> str:
    """Import a DSL sample through the CLI; returns the new app's site code."""
    result = runner.invoke(args=["apps", "import", str(DSL_SAMPLES / name)])
    assert result.exit_code == 0, result.output
    return result.output.split("code=")[1].split()[0]


@pytest.fixture(scope="module")
def own_redis():
    """This module's redis-server, on a port of its own."""
    with FaultyRedis() as server:
        yield server


@pytest.fixture
def redis_up(own_redis):
    """The module's redis-server, answering at the start and at the end of the test."""
    own_redis.ensure_up()
    yield own_redis
    own_redis.ensure_up()


@pytest.fixture(scope="module")
def redis_fault_server(backend_settings, _schema, upstream, own_redis):  # noqa: F811
    """A server whose Redis is `own_redis` (runs kept 10 s after a disconnect)."""
    with live_server(backend_settings, upstream, REDIS_URL=own_redis.url, STREAM_RESUME_GRACE_SECONDS=10) as live:
        yield live


@pytest.fixture(scope="module")
def other_server(backend_settings, _schema, upstream):  # noqa: F811
    """A second server process on the shared test Redis: where clients resume after a server went away."""
    with live_server(backend_settings, upstream, STREAM_RESUME_GRACE_SECONDS=10) as live:
        yield live
