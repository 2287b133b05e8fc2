"""Workflow start latency and throughput (issue 10): ours vs bare RQ, forking and non-forking workers.

`.venv/bin/python bench/workflow_start.py [--n-seq 40] [--n-par 80]` (about two minutes). Same set-up as
bench/workflow_queue.py (a 3-node workflow) on a database of its own, `llm_web_api_bench_wfstart`, and a
Redis db claimed the way the tests claim theirs (so it never flushes a db another run uses); rows:

* ours fork / ours simple: `python -m api.worker` with WORKFLOW_WORKER_CLASS=fork|simple.
  start = POST sent -> first `workflow_started` frame read by the client (web side included);
  enq = the job's RQ `enqueued_at` -> that frame read (worker side and event delivery only).
* bare fork / bare simple: `operator.add(1, 2)` on `rq worker` / `rq worker -w rq.SimpleWorker`;
  start = enq = RQ's `started_at - enqueued_at`.
Runs/s: `--n-par` runs submitted from 8 threads. `--rss 200` instead runs 200 sequential runs on one
`ours simple` worker and prints the worker process's resident memory every 40 runs.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workflow_queue as wq  # noqa: E402
from rq import Queue  # noqa: E402
from rq.job import Job  # noqa: E402

THREADS = 8
CLAIM_KEY = "llm-web-api:test-run"  # tests/conftest.py
wq.DB_NAME = "llm_web_api_bench_wfstart"
wq.DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{wq.DB_NAME}"
VARIANTS = ("ours fork", "ours simple", "bare fork", "bare simple")


def _q(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100)[pct - 1] * 1e3 if len(values) > 1 else values[0] * 1e3


def _ours_series(app, code, token, r, n: int) -> tuple[list[float], list[float]]:
    from api.extensions import db
    from models import WorkflowRun
    starts, enq = [], []
    for _ in range(n):
        wall0 = time.time()
        started, _ = wq._ours_run(app, code, token)
        with app.app_context():
            run_id = db.session.execute(db.select(WorkflowRun.id).order_by(WorkflowRun.created_at.desc())
                                        .limit(1)).scalar()
        job = Job.fetch(run_id, connection=r)
        starts.append(started)
        enq.append(wall0 + started - job.enqueued_at.replace(tzinfo=timezone.utc).timestamp())
    return starts, enq


def _rate(fn, n_par: int) -> float:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda _: fn(), range(n_par)))
    return n_par / (time.perf_counter() - t0)


def bench_variant(kind: str, app, code, token, r, args) -> dict[str, float]:
    if kind.startswith("ours"):
        for _ in range(3):
            wq._ours_run(app, code, token)
        starts, enq = _ours_series(app, code, token, r, args.n_seq)
        rate = _rate(lambda: wq._ours_run(app, code, token), args.n_par)
    else:
        q = Queue(wq.BARE_QUEUE, connection=r)
        for _ in range(3):
            wq._bare_run(q)
        starts = enq = [wq._bare_run(q)[0] for _ in range(args.n_seq)]
        rate = _rate(lambda: wq._bare_run(Queue(wq.BARE_QUEUE, connection=wq.redis.Redis.from_url(wq.REDIS_URL))),
                     args.n_par)
    return {"p50": _q(starts, 50), "p95": _q(starts, 95), "enq_p50": _q(enq, 50), "enq_p95": _q(enq, 95),
            "rate": rate}


def _argv(kind: str) -> list[str]:
    python, rq_bin = str(wq.REPO / ".venv/bin/python"), str(wq.REPO / ".venv/bin/rq")
    if kind.startswith("ours"):
        return [python, "-m", "api.worker"]
    argv = [rq_bin, "worker", "--url", wq.REDIS_URL, wq.BARE_QUEUE]
    return argv + (["-w", "rq.SimpleWorker"] if kind == "bare simple" else [])


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1])


def rss_series(app, code, token, r, env, runs: int) -> None:
    workers = wq.Workers(_argv("ours simple"), {**env, "WORKFLOW_WORKER_CLASS": "simple"}, 1)
    try:
        wq._wait_workers(r, app.config["WORKFLOW_QUEUE"], 1)
        pid = workers.procs[0].pid
        print(f"worker RSS after 0 runs: {_rss_kib(pid) / 1024:.1f} MiB", flush=True)
        for done in range(1, runs + 1):
            wq._ours_run(app, code, token)
            if done % 40 == 0 or done == runs:
                print(f"worker RSS after {done} runs: {_rss_kib(pid) / 1024:.1f} MiB", flush=True)
    finally:
        workers.stop()


def _claim_redis_db() -> None:
    for number in range(15, 0, -1):
        url = f"redis://127.0.0.1:6379/{number}"
        client = wq.redis.Redis.from_url(url)
        if client.set(CLAIM_KEY, os.getpid(), nx=True, ex=3600):
            client.flushdb()  # what a crashed run left
            client.set(CLAIM_KEY, os.getpid(), ex=3600)
            wq.REDIS_URL = url
            return
    raise RuntimeError("no free Redis database")


def run_all(args) -> dict[tuple[str, int], dict[str, float]]:
    _claim_redis_db()
    r = wq.redis.Redis.from_url(wq.REDIS_URL)
    wq._admin(f"DROP DATABASE IF EXISTS {wq.DB_NAME}")
    wq._admin(f"CREATE DATABASE {wq.DB_NAME}")
    env = wq._env(tempfile.mkdtemp(prefix="bench-wfs-"))
    results, app = {}, None
    try:
        subprocess.run([str(wq.REPO / ".venv/bin/flask"), "db", "upgrade"], cwd=wq.REPO, check=True,
                       env={**env, "FLASK_APP": "api.app:create_app"}, capture_output=True)
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "INSTANCE_PATH", "SECRET_KEY",
                                               "LOG_LEVEL")})
        from api.app import create_app
        from api.config import Config
        from services.app_service import import_dsl
        app = create_app(Config.from_env())
        with app.app_context():
            code = import_dsl(wq.DSL)[1].code
        token = app.test_client().get("/api/passport", headers={"X-App-Code": code}).get_json()["access_token"]
        if args.rss:
            rss_series(app, code, token, r, env, args.rss)
            return results
        for n in args.workers:
            for kind in args.variants:
                queue = app.config["WORKFLOW_QUEUE"] if kind.startswith("ours") else wq.BARE_QUEUE
                workers = wq.Workers(_argv(kind), {**env, "WORKFLOW_WORKER_CLASS": kind.split()[1]}, n)
                try:
                    wq._wait_workers(r, queue, n)
                    results[(kind, n)] = bench_variant(kind, app, code, token, r, args)
                finally:
                    workers.stop()
                print(kind, n, {k: round(v, 1) for k, v in results[(kind, n)].items()}, flush=True)
    finally:
        r.flushdb()
        if app is not None:
            from api.extensions import db
            with app.app_context():
                db.engine.dispose()
        wq._admin(f"DROP DATABASE IF EXISTS {wq.DB_NAME} WITH (FORCE)")
    return results


def report(results: dict, args) -> None:
    print(f"\nN={args.n_seq} sequential runs (ms); runs/s: {args.n_par} runs from {THREADS} threads\n")
    print("| workers | variant | start p50 | start p95 | enq->started p50 | enq->started p95 | runs/s |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for (kind, n), m in sorted(results.items(), key=lambda kv: (kv[0][1], VARIANTS.index(kv[0][0]))):
        print(f"| {n} | {kind} | {m['p50']:.1f} | {m['p95']:.1f} | {m['enq_p50']:.1f} | {m['enq_p95']:.1f} "
              f"| {m['rate']:.1f} |")
    for n in args.workers:
        bare = results.get(("bare simple", n))
        for kind in ("ours fork", "ours simple"):
            ours = results.get((kind, n))
            if ours and bare:
                print(f"{n} worker(s), {kind} vs bare simple: enq->started p50 {ours['enq_p50']:.1f} ms vs "
                      f"{bare['p50']:.1f} ms (+{ours['enq_p50'] - bare['p50']:.1f} ms), POST->started p50 "
                      f"{ours['p50'] / bare['p50']:.1f}x, runs/s {ours['rate'] / bare['rate']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-seq", type=int, default=40)
    parser.add_argument("--n-par", type=int, default=80)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rss", type=int, default=0, help="only: RSS of one simple worker over this many runs")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    args = parser.parse_args()
    results = run_all(args)
    if results:
        report(results, args)


if __name__ == "__main__":
    main()
