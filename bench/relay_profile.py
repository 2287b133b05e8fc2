"""Relay cost: server CPU per event and time to first event, ours versus a minimal reference proxy.

    .venv/bin/python bench/relay_profile.py [--tokens 1000] [--runs 5] [--concurrency 20]

Both servers run under the same gunicorn settings (deploy/gunicorn.conf.py, one gevent worker) and relay
the same loopback upstream (FakeOpenAI in its own process, unpaced, one token per SSE event). The
reference (`ref_app` below) is Flask + requests(stream=True) re-emitting each upstream `data:` line.
CPU is the worker's utime + stime from /proc/<pid>/stat over the streams. The world (database
`llm_web_api_relay_profile`, Redis db 10) is made and removed by the script.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import Iterator

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # a script, not a package: reuse the test support code

import psycopg2  # noqa: E402
import redis  # noqa: E402
import requests  # noqa: E402
from flask import Flask, Response, request  # noqa: E402

from tests.support.fake_openai import FakeOpenAI, Reply  # noqa: E402
from tests.support.live_server import LiveServer, server_env  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = "llm_web_api_relay_profile"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
TICK = os.sysconf("SC_CLK_TCK")

ref_app = Flask("ref_proxy")
ref_app.get("/console/api/setup")(lambda: {"step": "finished"})  # LiveServer's readiness probe


@ref_app.post("/relay")
def ref_relay():
    """The reference: forward the body upstream and re-emit every `data:` line as one SSE frame."""
    upstream = requests.post(os.environ["OPENAI_API_BASE"] + "/chat/completions", json=request.get_json(),
                             stream=True, timeout=(5, 60))

    def body() -> Iterator[bytes]:
        with closing(upstream):
            for line in upstream.iter_lines():
                if line.startswith(b"data:"):
                    yield line + b"\n\n"

    return Response(body(), mimetype="text/event-stream")


def _serve_upstream(tokens: int, port_out) -> None:
    with FakeOpenAI(default=lambda body: Reply(text="tok " * tokens, chunk_size=4)) as fake:
        port_out.send(fake.base_url)
        while True:
            time.sleep(3600)


@contextmanager
def upstream_process(tokens: int) -> Iterator[str]:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_serve_upstream, args=(tokens, child), daemon=True)
    process.start()
    try:
        yield parent.recv()
    finally:
        process.terminate()
        process.join(5)


def _admin(sql: str) -> None:
    conn = psycopg2.connect(f"{PG_SERVER}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


@contextmanager
def world() -> Iterator[dict]:
    """A database, a Redis db and a chat app of our own; (settings, app code)."""
    from flask_migrate import upgrade

    from api.app import create_app
    from api.config import Config
    from api.extensions import db
    from tests.factories import make_app

    _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DB_NAME}"')
    with tempfile.TemporaryDirectory() as instance:
        settings = {"DATABASE_URL": f"{PG_SERVER}/{DB_NAME}", "REDIS_URL": REDIS_URL, "INSTANCE_PATH": instance,
                    "SECRET_KEY": "relay-profile-" + "0" * 40}
        try:
            app = create_app(Config.from_env(environ={}, LOG_LEVEL="WARNING", **settings))
            with app.app_context():
                upgrade()
            settings["code"] = make_app(app)["code"]
            with app.app_context():
                db.engine.dispose()
            yield settings
        finally:
            redis.Redis.from_url(REDIS_URL).flushdb()
            _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def worker_pid(server: LiveServer) -> int:
    arbiter = server.process.pid
    children = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()
    return int(children[0])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def one_stream(url: str, headers: dict, body: dict) -> tuple[float, int]:
    """(seconds to the first text event, text events) of one stream."""
    started, first, events = time.perf_counter(), None, 0
    with closing(requests.post(url, headers=headers, json=body, stream=True, timeout=(5, 60))) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith(b"data:") and b'"tok ' in line:
                first = first or time.perf_counter() - started
                events += 1
    return first or float("nan"), events


@contextmanager
def sampled(pid: int, out: str | None) -> Iterator[None]:
    """py-spy (collapsed stacks, written to `out`) samples `pid` meanwhile; nothing when `out` is None."""
    if out is None:
        yield
        return
    spy = subprocess.Popen([str(REPO_ROOT / ".venv" / "bin" / "py-spy"), "record", "--pid", str(pid), "--format",
                            "raw", "--rate", "500", "--output", out, "--nonblocking"], stdout=subprocess.DEVNULL)
    time.sleep(1.0)  # py-spy attaches
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)


def measure(name: str, server: LiveServer, url: str, headers: dict, body: dict, runs: int, concurrency: int,
            profile: str | None = None):
    pid = worker_pid(server)
    for _ in range(2):
        one_stream(url, headers, body)  # warm up: imports, pools, first queries
    with sampled(pid, profile):
        before = cpu_seconds(pid)
        samples = [one_stream(url, headers, body) for _ in range(runs)]
        cpu = cpu_seconds(pid) - before
    events = sum(n for _, n in samples)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        burst = list(pool.map(lambda _: one_stream(url, headers, body), range(concurrency)))
    rate = sum(n for _, n in burst) / (time.perf_counter() - started)
    ttfe = statistics.median(t for t, _ in samples) * 1000
    print(f"{name:10s} cpu/event {cpu / events * 1e6:7.1f} us   ttfe p50 {ttfe:6.1f} ms   "
          f"{concurrency} streams: {rate:8.0f} events/s   ({events} events in {runs} streams)", flush=True)
    return cpu / events, ttfe, rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--profile", help="write py-spy's collapsed stacks of our worker to this file")
    args = parser.parse_args()
    with ExitStack() as stack:
        upstream = stack.enter_context(upstream_process(args.tokens))
        settings = stack.enter_context(world())
        code = settings.pop("code")
        env = server_env(settings, upstream, LLM_READ_TIMEOUT=30)
        ours = stack.enter_context(LiveServer(env))
        ref = stack.enter_context(LiveServer(env, wsgi_app="bench.relay_profile:ref_app"))
        token = requests.get(f"{ours.url}/api/passport", headers={"X-App-Code": code}, timeout=5).json()
        headers = {"X-App-Code": code, "X-App-Passport": token["access_token"]}
        chat = {"inputs": {}, "query": "hi", "response_mode": "streaming"}
        upstream_body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
        ref_result = measure("ref_proxy", ref, ref.url + "/relay", {}, upstream_body, args.runs, args.concurrency)
        our_result = measure("ours", ours, ours.url + "/api/chat-messages", headers, chat, args.runs,
                             args.concurrency, args.profile)
        print(f"ratio ours/ref: cpu/event {our_result[0] / ref_result[0]:.2f}x   "
              f"ttfe {our_result[1] - ref_result[1]:+.1f} ms   events/s {our_result[2] / ref_result[2]:.2f}x")


if __name__ == "__main__":
    main()
