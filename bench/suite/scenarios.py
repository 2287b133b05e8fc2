"""The measurements: each records one value per side (ours, ref) per repetition, ours first, then the ref."""
from __future__ import annotations

import re
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import psycopg2
import requests

from bench.suite.loadgen import Sample, StreamSpec, run_fleet, stream_once
from bench.suite.procs import Procs, cpu_seconds, rss_mib
from bench.suite.world import World


@dataclass(frozen=True)
class Params:
    """How much each scenario does; `QUICK` is the smoke-check size."""

    reps: int = 3
    relay_tokens: int = 1000
    relay_streams: int = 5
    flood_streams: int = 100
    flood_tokens: int = 1000
    ttfe_runs: int = 30
    paced_steps: tuple[int, ...] = (50, 100, 200, 350, 500, 700, 1000)
    paced_tokens: int = 250
    pace: float = 0.02
    paced_ramp: float = 2.0  # arrivals spread over this; each stream lasts pace * tokens (5 s), so all overlap
    idle_streams: int = 200
    wrk_seconds: int = 2
    conversations: int = 10_000
    messages: int = 1_000_000
    list_requests: int = 200
    wf_runs: int = 20
    wf_rate_runs: int = 48
    wf_clients: int = 8
    wf_workers: tuple[int, ...] = (1, 2)


QUICK = Params(reps=1, relay_tokens=300, relay_streams=3, flood_streams=30, flood_tokens=200, ttfe_runs=10,
               paced_steps=(50, 100), paced_tokens=100, paced_ramp=1.0, idle_streams=100, wrk_seconds=1,
               conversations=1000, messages=50_000, list_requests=50, wf_runs=10, wf_rate_runs=16, wf_workers=(1,))


@dataclass
class Side:
    """One server under test: its port and gunicorn worker pid, and the headers a request needs."""

    name: str
    port: int
    pid: int
    headers: list[dict] = field(default_factory=lambda: [{}])

    @property
    def role(self) -> str:
        """The results column: "ours" or "ref"."""
        return "ours" if self.name.startswith("ours") else "ref"

    def chat(self, tokens: int, pace: float = 0.0, delay: float = 0.0, index: int = 0) -> StreamSpec:
        body = {"inputs": {}, "query": f"bench n={tokens} pace={pace}", "response_mode": "streaming"}
        return StreamSpec(self.port, "/api/chat-messages", body, self.headers[index % len(self.headers)], delay=delay)


@dataclass
class Results:
    """values[key][side] = one value per repetition; notes = what went wrong or is worth knowing."""

    values: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    appendix: list[str] = field(default_factory=list)

    def add(self, key: str, side: str, value: float) -> None:
        self.values.setdefault(key, {}).setdefault(side, []).append(value)


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _failures(samples: list[Sample | None], tokens: int | None = None) -> int:
    return len(_failed(samples, tokens))


def _failed(samples: list[Sample | None], tokens: int | None) -> list[Sample | None]:
    return [s for s in samples if s is None or not s.ok or (tokens is not None and s.events != tokens)]


def describe_failures(samples: list[Sample | None], tokens: int | None) -> str:
    """E.g. "2 of 100 failed (timeout; status 200, 340/1000 events, no end)"."""
    failed = _failed(samples, tokens)
    shown = ["timeout" if s is None else f"status {s.status}, {s.events}/{tokens} events"
             + ("" if s.ok else ", no end") for s in failed[:3]]
    return f"{len(failed)} of {len(samples)} failed ({'; '.join(shown)})"


# --- relay: CPU per event, CPU per request, time to first event, aggregate events/s --------------------

def relay_cpu(side: Side, params: Params, results: Results) -> None:
    """Server CPU per relayed event over sequential streams of `relay_tokens` unpaced tokens."""
    before = cpu_seconds(side.pid)
    samples = [stream_once(side.chat(params.relay_tokens)) for _ in range(params.relay_streams)]
    spent = cpu_seconds(side.pid) - before
    if _failures(samples, params.relay_tokens):
        results.notes.append(f"relay CPU: {side.name} had {_failures(samples, params.relay_tokens)} failed streams")
    results.add("cpu_event", side.role, spent / (params.relay_streams * params.relay_tokens) * 1e6)


def first_event(side: Side, params: Params, results: Results) -> None:
    """Sequential 10-token replies: p50 time to the first event and server CPU per request."""
    before = cpu_seconds(side.pid)
    samples = [stream_once(side.chat(10)) for _ in range(params.ttfe_runs)]
    spent = cpu_seconds(side.pid) - before
    if _failures(samples, 10):
        results.notes.append(f"first event: {side.name} had {_failures(samples, 10)} failed streams")
    results.add("ttfe", side.role, statistics.median(s.ttfe for s in samples) * 1e3)
    results.add("cpu_request", side.role, spent / params.ttfe_runs * 1e3)


def flood(procs: Procs, side: Side, params: Params, results: Results) -> None:
    """`flood_streams` concurrent unpaced streams: all events / (last end - first start)."""
    specs = [side.chat(params.flood_tokens, index=i) for i in range(params.flood_streams)]
    samples, client_cpu = run_fleet(procs, specs)
    done = [s for s in samples if s]
    wall = max(s.ended for s in done) - min(s.started for s in done)
    if _failures(samples, params.flood_tokens):
        results.notes.append(f"flood: {side.name}: {describe_failures(samples, params.flood_tokens)}")
    events = sum(s.events for s in done)
    results.add("events_s", side.role, events / wall)
    results.add("client_cpu_event", side.role, client_cpu / max(events, 1) * 1e6)


# --- paced streams: how many one worker holds ------------------------------------------------------------

class RssPeak(threading.Thread):
    """The largest RSS of a process while it runs (sampled every 100 ms)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopping = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.1):
            self.peak = max(self.peak, rss_mib(self.pid))


def paced_step(procs: Procs, side: Side, params: Params, streams: int) -> tuple[bool, float, float, int]:
    """(held, p99 first event s, RSS growth per stream KiB, failures) for `streams` paced streams."""
    base = rss_mib(side.pid)
    specs = [side.chat(params.paced_tokens, params.pace, params.paced_ramp * i / streams, i) for i in range(streams)]
    peak = RssPeak(side.pid)
    peak.start()
    samples, _ = run_fleet(procs, specs, timeout=60 + params.paced_ramp)
    peak.stopping.set()
    peak.join()
    failed = _failures(samples, params.paced_tokens)
    p99 = p([s.ttfe if s and s.ttfe >= 0 else 99.0 for s in samples], 0.99)
    return failed == 0 and p99 < 1.0, p99, (peak.peak - base) * 1024 / streams, failed


def paced_capacity(procs: Procs, side: Side, params: Params, results: Results) -> None:
    """Step up concurrent paced streams until p99 first event >= 1 s or a stream fails (bounded by the steps).

    After the first repetition the steps start one below the least this side held so far (to save time)."""
    held_before = results.values.get("paced_held", {}).get(side.role, [])
    steps = [n for n in params.paced_steps if not held_before or n >= min(held_before)] or list(params.paced_steps)
    first = params.paced_steps.index(steps[0])
    steps = list(params.paced_steps[max(0, first - 1):])
    held, memory, trail = 0, float("nan"), []
    for streams in steps:
        ok, p99, per_stream, failed = paced_step(procs, side, params, streams)
        trail.append(f"{streams}: p99 {p99 * 1e3:.0f} ms, {failed} failed")
        if not ok:
            break
        held, memory = streams, per_stream
        time.sleep(0.5)
    results.add("paced_held", side.role, held)
    results.add("mem_stream", side.role, memory)
    results.notes.append(f"paced steps {side.name}: " + "; ".join(trail))


# --- idle in transaction ----------------------------------------------------------------------------------

def idle_in_transaction(procs: Procs, world: World, side: Side, params: Params, results: Results) -> None:
    """Most connections `idle in transaction` seen (every 20 ms) during `idle_streams` paced streams."""
    stop, peak = threading.Event(), [0]

    def sample() -> None:
        conn = psycopg2.connect(world.database_url)
        conn.autocommit = True
        with conn, conn.cursor() as cur:
            while not stop.wait(0.02):
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND state LIKE 'idle in transaction%%'")
                peak[0] = max(peak[0], cur.fetchone()[0])
        conn.close()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    specs = [side.chat(100, params.pace, 1.0 * i / params.idle_streams, i) for i in range(params.idle_streams)]
    samples, _ = run_fleet(procs, specs)
    stop.set()
    sampler.join(5)
    if _failures(samples, 100):
        results.notes.append(f"idle-in-transaction run: {_failures(samples, 100)} failed streams")
    results.add("idle_tx", side.role, peak[0])


# --- reads with wrk ---------------------------------------------------------------------------------------

def wrk(port: int, path: str, headers: dict, seconds: int) -> tuple[float, int, int]:
    """(requests/s, requests, non-2xx + socket errors) of `wrk -t2 -c50`."""
    argv = ["wrk", "-t2", "-c50", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"]
    for name, value in headers.items():
        argv[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30).stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out)[1])
    count = int(re.search(r"(\d+) requests in", out)[1])
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rate, count, errors


def reads(side: Side, params: Params, results: Results, path: str, key: str) -> int:
    rate, count, errors = wrk(side.port, path, side.headers[0], params.wrk_seconds)
    if errors:
        results.notes.append(f"{path} on {side.name}: {errors} errors of {count} requests")
    results.add(key, side.role, rate)
    return count


def passport_rows(world: World, side: Side, params: Params, results: Results) -> None:
    """Passport req/s (wrk), then the rows 20 sequential issuances leave in end_users and sessions."""
    code = side.headers[0]["X-App-Code"]
    reads(replace(side, headers=[{"X-App-Code": code}]), params, results, "/api/passport", "passport_rps")
    count_rows = "SELECT (SELECT count(*) FROM end_users) + (SELECT count(*) FROM sessions)"
    before, settled = -1, world.sql(count_rows)[0][0]
    for _ in range(50):  # requests wrk left in flight still write; wait until the count holds still
        if settled == before:
            break
        time.sleep(0.3)
        before, settled = settled, world.sql(count_rows)[0][0]
    for _ in range(20):
        requests.get(f"http://127.0.0.1:{side.port}/api/passport", headers={"X-App-Code": code}, timeout=10)
    results.add("passport_rows", side.role, (world.sql(count_rows)[0][0] - before) / 20)


# --- conversation and message lists ----------------------------------------------------------------------

def list_latency(side: Side, params: Params, results: Results, ids: list[str]) -> None:
    """p99 of sequential list requests: first pages and keyset pages deep in the seeded data."""
    session = requests.Session()
    session.headers.update(side.headers[0])
    base = f"http://127.0.0.1:{side.port}/api"
    for key, url, cursor in (("conv_p99", base + "/conversations?limit=20", "last_id"),
                             ("msg_p99", base + "/messages?limit=20&conversation_id={c}", "first_id")):
        times = []
        for i in range(params.list_requests):
            target = ids[(i * 7919) % len(ids)]
            page = url.format(c=target) + ("" if i % 2 else f"&{cursor}={_cursor(session, url, target, cursor)}")
            started = time.perf_counter()
            response = session.get(page, timeout=30)
            times.append(time.perf_counter() - started)
            if response.status_code != 200 and len(results.notes) < 50:
                results.notes.append(f"{page} -> {response.status_code} {response.text[:200]}")
        results.add(key, side.role, p(times, 0.99) * 1e3)


_CURSORS: dict[str, str] = {}


def _cursor(session: requests.Session, url: str, conversation: str, cursor: str) -> str:
    """A cursor deep inside a list: a seeded conversation id, or a message id from the middle of one."""
    if cursor == "last_id":
        return conversation
    if conversation not in _CURSORS:
        response = session.get(url.format(c=conversation).replace("limit=20", "limit=100"), timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"message list for {conversation}: {response.status_code} {response.text[:300]}")
        items = response.json()["data"]
        _CURSORS[conversation] = items[len(items) // 2]["id"] if items else ""
    return _CURSORS[conversation]


Scenario = Callable[..., None]
