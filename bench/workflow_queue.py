"""Workflow enqueue latency (issue 4): our `/api/workflows/run` vs a bare RQ job, 1 and 2 workers.

`.venv/bin/python bench/workflow_queue.py` (about a minute). Needs PostgreSQL on 127.0.0.1:5432 (user
postgres, db `test` reachable) and Redis on 127.0.0.1:6379; it creates and drops the database
`llm_web_api_bench_wf` and flushes Redis db 11 before and after.

* ours: a 3-node workflow (start -> template-transform -> end) imported with `services.app_service.import_dsl`,
  run through the in-process Flask app (`app.test_client()`, streaming mode) and executed by
  `python -m api.worker` subprocesses. Latency = POST sent -> first `workflow_started` frame read;
  also the total until the stream ends.
* bare RQ: `operator.add(1, 2)` enqueued on its own queue, consumed by `rq worker`; latency =
  job.started_at - job.enqueued_at (both stamped by RQ), total = enqueue -> status finished (polled).
* N=50 sequential runs (median, p95), then 100 runs submitted from 8 threads (runs/s).
"""
from __future__ import annotations

import operator
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg2  # noqa: E402
import redis  # noqa: E402
from rq import Queue  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "llm_web_api_bench_wf"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/11"
BARE_QUEUE = "bench-bare"
N_SEQ, N_PAR, THREADS = 50, 100, 8

DSL = """\
app: {name: bench-3-nodes, mode: workflow, icon: "🤖", icon_background: '#FFEAD5', description: ''}
kind: app
version: 0.3.1
dependencies: []
workflow:
  conversation_variables: []
  environment_variables: []
  features: {}
  graph:
    edges:
    - {id: e1, source: '1', sourceHandle: source, target: '2', targetHandle: target, type: custom,
       data: {sourceType: start, targetType: template-transform}}
    - {id: e2, source: '2', sourceHandle: source, target: '3', targetHandle: target, type: custom,
       data: {sourceType: template-transform, targetType: end}}
    nodes:
    - {id: '1', type: custom, data: {type: start, title: Start, desc: '', variables: []}}
    - {id: '2', type: custom, data: {type: template-transform, title: T, desc: '', template: 'hello', variables: []}}
    - {id: '3', type: custom, data: {type: end, title: End, desc: '',
       outputs: [{variable: out, value_selector: ['2', output], value_type: string}]}}
"""


def _admin(sql: str) -> None:
    conn = psycopg2.connect(ADMIN_URL)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def _env(instance: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, INSTANCE_PATH=instance, LOG_LEVEL="WARNING",
               SECRET_KEY="bench-secret-key-" + "0123456789abcdef" * 4, PYTHONUNBUFFERED="1")
    return env


class Workers:
    """n worker processes, each in its own process group; killed (with their work horses) on stop()."""

    def __init__(self, argv: list[str], env: dict[str, str], n: int):
        self.procs = [subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(n)]

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=5)


def _wait_workers(r: redis.Redis, queue: str, n: int) -> None:
    from rq import Worker
    deadline = time.time() + 30
    while time.time() < deadline:
        if sum(queue in w.queue_names() for w in Worker.all(connection=r)) >= n:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{n} worker(s) on {queue} did not register")


def _stats(latencies: list[float], totals: list[float]) -> dict[str, float]:
    q = statistics.quantiles
    return {"med": statistics.median(latencies) * 1e3, "p95": q(latencies, n=20)[18] * 1e3,
            "total_med": statistics.median(totals) * 1e3}


# ---- ours ----------------------------------------------------------------------------------------------

def _ours_run(app, code: str, token: str) -> tuple[float, float]:
    headers = {"X-App-Code": code, "X-App-Passport": token}
    client = app.test_client()
    t0 = time.perf_counter()
    resp = client.post("/api/workflows/run", headers=headers, buffered=False,
                       json={"inputs": {}, "response_mode": "streaming"})
    started = None
    buf = b""
    for chunk in resp.response:
        buf += chunk
        if started is None and b'"workflow_started"' in buf:
            started = time.perf_counter() - t0
    total = time.perf_counter() - t0
    resp.close()
    if started is None or b'"succeeded"' not in buf:
        raise RuntimeError(f"run failed: {buf[-500:]!r}")
    return started, total


def bench_ours(app, code: str, token: str) -> tuple[dict, float]:
    for _ in range(3):
        _ours_run(app, code, token)
    seq = [_ours_run(app, code, token) for _ in range(N_SEQ)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda _: _ours_run(app, code, token), range(N_PAR)))
    rate = N_PAR / (time.perf_counter() - t0)
    return _stats([s for s, _ in seq], [t for _, t in seq]), rate


# ---- bare RQ -------------------------------------------------------------------------------------------

def _bare_run(q: Queue) -> tuple[float, float]:
    t0 = time.perf_counter()
    job = q.enqueue(operator.add, 1, 2)
    while True:
        status = job.get_status(refresh=True)
        if status == "finished":
            break
        if status == "failed":
            raise RuntimeError("bare job failed")
        time.sleep(0.0005)
    total = time.perf_counter() - t0
    job.refresh()
    return (job.started_at - job.enqueued_at).total_seconds(), total


def bench_bare(r: redis.Redis) -> tuple[dict, float]:
    q = Queue(BARE_QUEUE, connection=r)
    for _ in range(3):
        _bare_run(q)
    seq = [_bare_run(q) for _ in range(N_SEQ)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda _: _bare_run(Queue(BARE_QUEUE, connection=redis.Redis.from_url(REDIS_URL))),
                      range(N_PAR)))
    rate = N_PAR / (time.perf_counter() - t0)
    return _stats([s for s, _ in seq], [t for _, t in seq]), rate


# ---- main ----------------------------------------------------------------------------------------------

def main() -> None:
    r = redis.Redis.from_url(REDIS_URL)
    r.flushdb()
    _admin(f"DROP DATABASE IF EXISTS {DB_NAME}")
    _admin(f"CREATE DATABASE {DB_NAME}")
    instance = tempfile.mkdtemp(prefix="bench-wf-")
    env = _env(instance)
    running: list[Workers] = []
    results: dict[tuple[str, int], tuple[dict, float]] = {}
    try:
        subprocess.run([str(REPO / ".venv/bin/flask"), "db", "upgrade"], cwd=REPO, check=True,
                       env={**env, "FLASK_APP": "api.app:create_app"}, capture_output=True)
        names = ("DATABASE_URL", "REDIS_URL", "INSTANCE_PATH", "SECRET_KEY", "LOG_LEVEL")
        os.environ.update({k: env[k] for k in names})
        from api.app import create_app
        from api.config import Config
        from services.app_service import import_dsl
        app = create_app(Config.from_env())
        with app.app_context():
            _, site = import_dsl(DSL)
            code = site.code
        client = app.test_client()
        token = client.get("/api/passport", headers={"X-App-Code": code}).get_json()["access_token"]
        queue_name = app.config["WORKFLOW_QUEUE"]
        python, rq_bin = str(REPO / ".venv/bin/python"), str(REPO / ".venv/bin/rq")
        for n in (1, 2):
            w = Workers([python, "-m", "api.worker"], env, n)
            running.append(w)
            _wait_workers(r, queue_name, n)
            results[("ours", n)] = bench_ours(app, code, token)
            w.stop()
            running.remove(w)
            w = Workers([rq_bin, "worker", "--url", REDIS_URL, BARE_QUEUE], env, n)
            running.append(w)
            _wait_workers(r, BARE_QUEUE, n)
            results[("bare", n)] = bench_bare(r)
            w.stop()
            running.remove(w)
    finally:
        for w in running:
            w.stop()
        try:
            r.flushdb()
        finally:
            try:
                from api.extensions import db
                with app.app_context():
                    db.engine.dispose()
            except Exception:
                pass
            _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    print(f"\nenqueue -> start, N={N_SEQ} sequential (ms); rate: {N_PAR} runs from {THREADS} threads\n")
    print("| workers | ours median | ours p95 | bare median | bare p95 | median ratio | ours total median "
          "| bare total median | ours runs/s | bare jobs/s | rate ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in (1, 2):
        (o, orate), (b, brate) = results[("ours", n)], results[("bare", n)]
        print(f"| {n} | {o['med']:.1f} | {o['p95']:.1f} | {b['med']:.1f} | {b['p95']:.1f} | "
              f"{o['med'] / b['med']:.1f}x | {o['total_med']:.1f} | {b['total_med']:.1f} | {orate:.1f} | "
              f"{brate:.1f} | {brate / orate:.1f}x |")


if __name__ == "__main__":
    main()
