"""Benchmark: a streamed chat relayed by the server versus reading the same upstream directly.

    .venv/bin/python bench/stream_relay.py [--runs 5] [--events 500] [--concurrency 10,50]

Builds its own world (PostgreSQL database `llm_web_api_bench`, Redis db 12, one chat app made with
`flask apps create`), starts a loopback FakeOpenAI in its own process and gunicorn with one gevent
worker (tests/support/live_server.py), measures, prints ratios (ours / direct) and removes the world.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # a script, not a package: reuse the test support code

import psycopg2  # noqa: E402
import redis  # noqa: E402
import requests  # noqa: E402

from tests.support.fake_openai import FakeOpenAI, Reply  # noqa: E402
from tests.support.live_server import LiveServer, server_env  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
BENCH_DB = "llm_web_api_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
FLASK = REPO_ROOT / ".venv" / "bin" / "flask"
TIMEOUT = (5, 60)
QUERY = re.compile(r"bench n=(\d+) pace=([\d.]+)")


@dataclass(frozen=True)
class Scenario:
    name: str
    events: int
    pace: float

    @property
    def query(self) -> str:
        return f"bench n={self.events} pace={self.pace}"


@dataclass(frozen=True)
class Sample:
    ttfb: float  # seconds from sending the request to the first text event
    seconds: float  # to the end of the body
    events: int  # text events received


# --- the upstream, in its own process so that it does not share the client's GIL -----------------

def bench_reply(body: dict) -> Reply:
    """The reply a bench query asks for: `n` chunks of 4 characters, `pace` seconds apart."""
    users = [m["content"] for m in body.get("messages") or [] if m.get("role") == "user"]
    match = QUERY.search(users[-1] if users else "")
    count, pace = (int(match[1]), float(match[2])) if match else (10, 0.0)
    return Reply(chunks=[f"t{i % 1000:03d}" for i in range(count)], pace=pace)


def serve_upstream() -> None:
    """`--serve-upstream`: print the base URL, serve until stdin closes."""
    with FakeOpenAI(default=bench_reply) as fake:
        print(fake.base_url, flush=True)
        sys.stdin.read()


@contextmanager
def upstream_process() -> Iterator[str]:
    process = subprocess.Popen([sys.executable, __file__, "--serve-upstream"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        yield process.stdout.readline().strip()
    finally:
        process.stdin.close()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


# --- the world: database, redis, app, server ------------------------------------------------------

def _admin(sql: str) -> None:
    conn = psycopg2.connect(f"{PG_SERVER}/test")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (BENCH_DB,))
            cur.execute(sql)
    finally:
        conn.close()


@contextmanager
def bench_world() -> Iterator[dict[str, str]]:
    """A fresh database and Redis db, migrated; both removed afterwards."""
    _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    _admin(f'CREATE DATABASE "{BENCH_DB}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    with tempfile.TemporaryDirectory(prefix="bench-instance-") as instance:
        settings = {"DATABASE_URL": f"{PG_SERVER}/{BENCH_DB}", "REDIS_URL": REDIS_URL, "INSTANCE_PATH": instance,
                    "SECRET_KEY": "bench-secret-" + "0123456789abcdef" * 4}
        try:
            flask(settings, "db", "upgrade")
            yield settings
        finally:
            redis.Redis.from_url(REDIS_URL).flushdb()
            _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')


def flask(settings: dict[str, str], *args: str) -> str:
    env = {**os.environ, **settings, "FLASK_APP": "api.app:create_app", "LOG_LEVEL": "WARNING"}
    done = subprocess.run([str(FLASK), *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def create_app_code(settings: dict[str, str]) -> str:
    out = flask(settings, "apps", "create", "--name", "Bench", "--mode", "chat")
    return re.search(r"code=(\S+)", out)[1]


# --- one stream, read the same way on both paths --------------------------------------------------

def read_stream(response: requests.Response, started: float, is_text: Callable[[dict], bool]) -> Sample:
    """Count text events in an SSE body read in raw chunks as they arrive."""
    buffer, events, first = b"", 0, None
    for chunk in response.iter_content(chunk_size=None):
        buffer += chunk
        *whole, buffer = buffer.split(b"\n\n")
        for raw in whole:
            data = next((line[6:] for line in raw.split(b"\n") if line.startswith(b"data: ")), None)
            if data is None or data == b"[DONE]" or not is_text(json.loads(data)):
                continue
            events += 1
            first = first if first is not None else time.perf_counter() - started
    return Sample(ttfb=first if first is not None else float("nan"), seconds=time.perf_counter() - started,
                  events=events)


def _upstream_text(payload: dict) -> bool:
    return bool(payload.get("choices") and (payload["choices"][0].get("delta") or {}).get("content"))


def _server_text(payload: dict) -> bool:
    return payload.get("event") == "message"


def direct_stream(session: requests.Session, upstream: str, scenario: Scenario) -> Sample:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": scenario.query}], "stream": True,
            "stream_options": {"include_usage": True}}
    started = time.perf_counter()
    with session.post(f"{upstream}/chat/completions", json=body, stream=True, timeout=TIMEOUT,
                      headers={"Authorization": "Bearer sk-bench"}) as response:
        response.raise_for_status()
        return read_stream(response, started, _upstream_text)


def server_stream(session: requests.Session, base_url: str, headers: dict, scenario: Scenario) -> Sample:
    body = {"inputs": {}, "query": scenario.query, "response_mode": "streaming"}
    started = time.perf_counter()
    with session.post(f"{base_url}/api/chat-messages", json=body, headers=headers, stream=True,
                      timeout=TIMEOUT) as response:
        response.raise_for_status()
        return read_stream(response, started, _server_text)


def passport(base_url: str, code: str) -> dict[str, str]:
    response = requests.get(f"{base_url}/api/passport", headers={"X-App-Code": code}, timeout=TIMEOUT)
    response.raise_for_status()
    return {"X-App-Code": code, "X-App-Passport": response.json()["access_token"]}


# --- measurements ---------------------------------------------------------------------------------

@dataclass
class Bench:
    upstream: str
    server: str
    code: str

    def streamer(self, path: str) -> Callable[[Scenario], Sample]:
        """A function running one stream on `path` ("direct" or "server") with its own session and user."""
        session = requests.Session()
        if path == "direct":
            return lambda scenario: direct_stream(session, self.upstream, scenario)
        headers = passport(self.server, self.code)
        return lambda scenario: server_stream(session, self.server, headers, scenario)

    def single(self, path: str, scenario: Scenario, runs: int) -> tuple[float, float]:
        """Median TTFB (s) and median events/s of `runs` sequential streams."""
        stream = self.streamer(path)
        samples = [stream(scenario) for _ in range(runs)]
        assert all(s.events == scenario.events for s in samples), samples
        return (statistics.median(s.ttfb for s in samples),
                statistics.median(s.events / s.seconds for s in samples))

    def concurrent(self, path: str, scenario: Scenario, clients: int, runs: int) -> tuple[float, float]:
        """Median over `runs` rounds of (p95 TTFB, aggregate events/s) of `clients` simultaneous streams."""
        streamers = [self.streamer(path) for _ in range(clients)]
        rounds = []
        with ThreadPoolExecutor(max_workers=clients) as pool:
            for _ in range(runs):
                started = time.perf_counter()
                samples = list(pool.map(lambda stream: stream(scenario), streamers, timeout=300))
                wall = time.perf_counter() - started
                assert all(s.events == scenario.events for s in samples), samples
                rounds.append((p95([s.ttfb for s in samples]), sum(s.events for s in samples) / wall))
        return statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(bench: Bench, args: argparse.Namespace) -> list[tuple[str, str, float, float]]:
    """Rows (scenario, metric, direct, ours)."""
    flat = Scenario(f"1 stream, {args.events} chunks, pace 0", args.events, 0.0)
    paced = Scenario(f"1 stream, {args.paced_events} chunks, pace {args.pace}s", args.paced_events, args.pace)
    for path in ("direct", "server"):  # warm up connections, imports and the pool
        bench.single(path, flat, 2)
    rows = []
    for scenario in (flat, paced):
        (d_ttfb, d_rate), (s_ttfb, s_rate) = (bench.single(p, scenario, args.runs) for p in ("direct", "server"))
        rows += [(scenario.name, "TTFB ms (median)", d_ttfb * 1000, s_ttfb * 1000),
                 (scenario.name, "events/s (median)", d_rate, s_rate)]
    for clients in args.concurrency:
        for base in (flat, paced):
            scenario = Scenario(f"{clients} streams, {base.name.split(', ', 1)[1]}", base.events, base.pace)
            (d_ttfb, d_rate), (s_ttfb, s_rate) = (bench.concurrent(p, scenario, clients, args.concurrent_runs)
                                                  for p in ("direct", "server"))
            rows += [(scenario.name, "p95 TTFB ms", d_ttfb * 1000, s_ttfb * 1000),
                     (scenario.name, "aggregate events/s", d_rate, s_rate)]
    return rows


def print_table(rows: list[tuple[str, str, float, float]]) -> None:
    header = f"{'scenario':<34} {'metric':<20} {'direct':>10} {'ours':>10} {'ours/direct':>12}"
    print(header)
    print("-" * len(header))
    for scenario, metric, direct, ours in rows:
        print(f"{scenario:<34} {metric:<20} {direct:>10.1f} {ours:>10.1f} {ours / direct:>12.2f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="sequential streams per single-stream figure")
    parser.add_argument("--concurrent-runs", type=int, default=3, help="rounds per concurrency figure")
    parser.add_argument("--events", type=int, default=500, help="chunks of the unpaced reply")
    parser.add_argument("--paced-events", type=int, default=100, help="chunks of the paced reply")
    parser.add_argument("--pace", type=float, default=0.02, help="seconds between paced chunks")
    parser.add_argument("--concurrency", type=lambda v: [int(x) for x in v.split(",") if x], default=[10, 50])
    parser.add_argument("--serve-upstream", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.serve_upstream:
        return serve_upstream()
    with ExitStack() as stack:
        settings = stack.enter_context(bench_world())
        code = create_app_code(settings)
        upstream = stack.enter_context(upstream_process())
        # every simulated client fetches a passport: far beyond the default per-address limit
        server = stack.enter_context(LiveServer(server_env(settings, upstream, LLM_READ_TIMEOUT=60,
                                                           PASSPORT_RATE_LIMIT_PER_MINUTE=0)))
        print(f"gunicorn: 1 gevent worker at {server.url}; upstream {upstream}; {os.cpu_count()} CPUs\n")
        print_table(measure(Bench(upstream, server.url, code), args))


if __name__ == "__main__":
    main()
