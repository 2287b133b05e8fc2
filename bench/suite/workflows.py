"""Workflow start: our POST /api/workflows/run -> `workflow_started` next to a bare RQ job's enqueue -> start."""
from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import redis
from rq import Queue, Worker

from bench.refs.ref_rq import WORKER_CLASSES
from bench.suite.loadgen import StreamSpec, stream_once
from bench.suite.procs import BIN, Procs
from bench.suite.scenarios import Params, Results, Side
from bench.suite.world import World

REF_QUEUE = "bench-ref-{kind}"


def start_workers(procs: Procs, world: World, count: int, queue: str) -> list:
    """`count` of our workers and `count` bare RQ workers of each kind, registered before returning."""
    env = world.env()
    started = [procs.spawn([str(BIN / "python"), "-m", "api.worker"], env) for _ in range(count)]
    for kind, worker_class in WORKER_CLASSES.items():
        started += [procs.spawn([str(BIN / "rq"), "worker", "--url", world.redis_url, "-w", worker_class,
                                 REF_QUEUE.format(kind=kind)], env) for _ in range(count)]
    connection = redis.Redis.from_url(world.redis_url)
    wanted = {queue: count, **{REF_QUEUE.format(kind=k): count for k in WORKER_CLASSES}}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        names = [name for w in Worker.all(connection=connection) for name in w.queue_names()]
        if all(names.count(q) >= n for q, n in wanted.items()):
            return started
        time.sleep(0.2)
    raise RuntimeError(f"workers did not register: {wanted}")


def _ours_spec(side: Side) -> StreamSpec:
    return StreamSpec(side.port, "/api/workflows/run", {"inputs": {}, "response_mode": "streaming"}, side.headers[0],
                      first='"event":"workflow_started"', count='"event":"workflow_started"',
                      end='"event":"workflow_finished"')


def _utc(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()


def _bare_job(queue: Queue) -> float:
    """Seconds from just before enqueue to the job's `started_at`, once it has finished."""
    sent = time.time()
    job = queue.enqueue("bench.refs.ref_rq.noop")
    if job.latest_result(timeout=10) is None:
        raise RuntimeError(f"bare job {job.id} did not finish")
    job.refresh()
    return _utc(job.started_at) - sent


def workflow_start(side: Side, world: World, params: Params, results: Results, workers: int) -> None:
    """Sequential runs (p50 to `workflow_started`) and runs/s from `wf_clients` threads, ours then bare RQ."""
    spec = _ours_spec(side)
    samples = [stream_once(spec) for _ in range(params.wf_runs)]
    if any(not s.ok for s in samples):
        results.notes.append(f"workflow runs: {sum(not s.ok for s in samples)} did not finish")
    if workers == 1:
        results.add("wf_start", side.role, statistics.median(s.ttfe for s in samples) * 1e3)
    results.add(f"wf_rate_{workers}", side.role, _rate(lambda _: stream_once(spec), params))
    connection = redis.Redis.from_url(world.redis_url)
    for kind in WORKER_CLASSES:
        queue = Queue(REF_QUEUE.format(kind=kind), connection=connection)
        if workers == 1:
            results.add(f"wf_start_{kind}", "ref", statistics.median(_bare_job(queue) for _ in range(params.wf_runs))
                        * 1e3)
        results.add(f"wf_rate_{workers}_{kind}", "ref", _rate(lambda _: _bare_job(queue), params))


def _rate(run, params: Params) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(params.wf_clients) as pool:
        list(pool.map(run, range(params.wf_rate_runs)))
    return params.wf_rate_runs / (time.perf_counter() - started)
