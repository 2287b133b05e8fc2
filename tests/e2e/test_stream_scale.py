"""Many concurrent streams through the real server: no database connection is held while a stream waits.

The server runs with its own `application_name`, so sampling `pg_stat_activity` sees only its connections.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import psycopg2
import pytest
import requests

from tests.e2e.test_live_server import passport
from tests.support.fake_openai import Reply
from tests.support.live_server import LiveServer, server_env
from tests.support.sse import frames

STREAMS = 200
APP_NAME = "llm-web-api-stream-scale"


@pytest.fixture(scope="module")
def tagged_server(backend_settings, _schema, upstream):
    """A live server whose PostgreSQL connections carry APP_NAME."""
    url = backend_settings["DATABASE_URL"] + f"?application_name={APP_NAME}"
    with LiveServer(server_env(backend_settings, upstream.base_url, LLM_READ_TIMEOUT=10, DATABASE_URL=url,
                               SERVER_WORKER_CONNECTIONS=STREAMS * 2 + 50)) as live:
        yield live.url


class ActivitySampler:
    """Counts the server's connections by state every `interval` s until stopped."""

    def __init__(self, dsn: str, interval: float = 0.02):
        self.dsn, self.interval = dsn, interval
        self.samples: list[tuple[float, dict[str, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        conn = psycopg2.connect(self.dsn)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                while not self._stop.wait(self.interval):
                    cur.execute("SELECT state, count(*) FROM pg_stat_activity WHERE application_name = %s "
                                "GROUP BY state", (APP_NAME,))
                    self.samples.append((time.monotonic(), {state or "": n for state, n in cur.fetchall()}))
        finally:
            conn.close()

    def __enter__(self) -> "ActivitySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(5)


def _stream(base_url: str, headers: dict, index: int) -> list[str]:
    """The event names of one streamed chat."""
    body = {"inputs": {}, "query": f"q{index}", "response_mode": "streaming"}
    names = []
    with closing(requests.post(f"{base_url}/api/chat-messages", headers=headers, json=body, stream=True,
                               timeout=(10, 60))) as response:
        assert response.status_code == 200, response.text
        for frame in frames(response.iter_content(chunk_size=None)):
            names.append(frame.name)
    return [name for name in names if name != "ping"]


def test_concurrent_streams_hold_no_database_connection(app, tagged_server, upstream, reply, make_code,
                                                        backend_settings):
    """While STREAMS streams all wait on the model at once (the upstream holds each before its first token),
    no server connection sits `idle in transaction` or runs a query: a waiting stream holds none. Opening
    and saving use the pool briefly; every stream still ends with message_end."""
    gate = threading.Event()
    reply(Reply(text="abcd" * 10, chunk_size=4, pace=0.02, gate=gate))
    headers = passport(tagged_server, make_code())
    before = len(upstream.requests)
    with ActivitySampler(backend_settings["DATABASE_URL"]) as sampler, ThreadPoolExecutor(STREAMS) as pool:
        futures = [pool.submit(_stream, tagged_server, headers, i) for i in range(STREAMS)]
        try:
            assert upstream.wait_for_requests(before + STREAMS, timeout=60), "not every run reached the model"
            all_open = time.monotonic()
            time.sleep(1.0)
            steady = [s for at, s in sampler.samples if at > all_open + 0.05]
        finally:
            gate.set()
        results = [f.result(timeout=60) for f in futures]
    assert all(names[-1] == "message_end" and names.count("message") == 10 for names in results)
    assert len(steady) >= 10
    assert max(s.get("idle in transaction", 0) + s.get("active", 0) for s in steady) == 0, steady


OVERLOAD = 40  # concurrent chat streams: far beyond what the small pools below serve within their short waits
SMALL_POOLS = {  # a server whose database pool holds 2 connections (50 ms wait), or whose Redis pool holds 2 (20 ms)
    "database": {"SQLALCHEMY_POOL_SIZE": 2, "SQLALCHEMY_MAX_OVERFLOW": 0, "SQLALCHEMY_POOL_TIMEOUT": 0.05},
    # Redis: 2 connections, one of them held by the app cache's change subscription (services/app_cache)
    "redis": {"REDIS_MAX_CONNECTIONS": 2, "REDIS_SOCKET_TIMEOUT": 0.02},
}


@pytest.fixture(scope="module", params=sorted(SMALL_POOLS))
def small_pool_server(request, backend_settings, _schema, upstream):
    """A live server with a tiny database or Redis pool and a short wait for it."""
    with LiveServer(server_env(backend_settings, upstream.base_url, LLM_READ_TIMEOUT=10,
                               **SMALL_POOLS[request.param])) as live:
        yield live.url


def _passport_when_served(base_url: str, code: str) -> dict[str, str]:
    """A passport from an overloaded server: asked again (bounded) while it answers 503."""
    for _ in range(50):
        try:
            return passport(base_url, code)
        except AssertionError:
            time.sleep(0.1)
    raise AssertionError("no passport from the server")


def _outcome(base_url: str, headers: dict, index: int) -> tuple[int, str, str | None]:
    """(status, the last event or the JSON error code, Retry-After) of one streamed chat."""
    body = {"inputs": {}, "query": f"q{index}", "response_mode": "streaming"}
    with closing(requests.post(f"{base_url}/api/chat-messages", headers=headers, json=body, stream=True,
                               timeout=(10, 30))) as response:
        if response.headers.get("Content-Type", "").startswith("text/event-stream"):
            names = [f.name for f in frames(response.iter_content(chunk_size=None)) if f.data]
            return response.status_code, names[-1] if names else "", None
        return response.status_code, response.json()["code"], response.headers.get("Retry-After")


def test_overload_answers_503_with_retry_after_never_500(app, small_pool_server, reply, make_code):
    """OVERLOAD streams at once on a server with a tiny pool: each one either streams to a terminal event
    or is refused at once with a JSON 503 (or 429) and Retry-After; none gets a 500 or a cut stream."""
    reply(Reply(text="abcd" * 5, chunk_size=4, pace=0.01))
    headers = _passport_when_served(small_pool_server, make_code())
    with ThreadPoolExecutor(OVERLOAD) as pool:
        outcomes = list(pool.map(lambda i: _outcome(small_pool_server, headers, i), range(OVERLOAD)))
    streamed = [o for o in outcomes if o[0] == 200]
    refused = [o for o in outcomes if o[0] != 200]
    assert all(last in ("message_end", "error") for _, last, _ in streamed), outcomes
    assert all(status in (503, 429) and retry_after for status, _, retry_after in refused), outcomes
    assert refused and any(last == "message_end" for _, last, _ in streamed), outcomes
