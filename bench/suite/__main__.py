"""`python -m bench.suite [--quick]`: run every scenario, ours and the references interleaved, write the table.

Everything it starts (servers, workers, load generators, the upstream) runs in its own process group and is
stopped on exit, failure, Ctrl-C or SIGTERM; the bench database is dropped and the Redis db flushed.
"""
from __future__ import annotations

import argparse
import collections
import os
import platform
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from bench.suite import scenarios as sc
from bench.suite.explain import list_plans
from bench.suite.loadgen import StreamSpec, run_fleet, stream_once
from bench.suite.procs import REPO, Procs, deployed_bytecode
from bench.suite.procs import output as proc_output
from bench.suite.report import table
from bench.suite.seed import seed_lists
from bench.suite.stage import start_servers, start_upstream
from bench.suite.workflows import start_workers, workflow_start
from bench.suite.world import world_context

RESULTS = REPO / "bench" / "results"


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def machine_facts() -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "api", "controllers", "services", "models", "core",
                            "jobs"], cwd=REPO, capture_output=True, text=True).stdout
    return {"date (UTC)": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"), "commit": commit.strip()
            + (" (server code modified)" if dirty.strip() else ""), "cores": str(os.cpu_count()), "cpu": model,
            "memory": f"{int(mem) / 1024 / 1024:.1f} GiB", "load average at start": " ".join(
                f"{x:.2f}" for x in os.getloadavg()), "python": platform.python_version()}


def ceiling(procs: Procs, port: int, params: sc.Params, results: sc.Results) -> None:
    """The load generator reading the flood straight from ref_upstream: what the client side can take."""
    query = f"bench n={params.flood_tokens} pace=0"
    body = {"model": "gpt-ref", "stream": True, "messages": [{"role": "user", "content": query}]}
    spec = StreamSpec(port, "/v1/chat/completions", body, first='"content":"t', count='"content":"t', end="[DONE]")
    samples, _ = run_fleet(procs, [spec] * params.flood_streams)
    done = [s for s in samples if s]
    results.add("ceiling", "ours", sum(s.events for s in done) / (max(s.ended for s in done) -
                                                                  min(s.started for s in done)))


def relay_rounds(procs, sides, params, results, upstream_port) -> None:
    for rep in range(params.reps):
        for side in (sides["ours"], sides["ref"]):
            sc.relay_cpu(side, params, results)
            sc.first_event(side, params, results)
            sc.flood(procs, side, params, results)
        ceiling(procs, upstream_port, params, results)
        log(f"relay rep {rep + 1}: {results.values['events_s']}")
    for rep in range(params.reps):
        for side in (sides["ours"], sides["ref"]):
            sc.paced_capacity(procs, side, params, results)
        log(f"paced rep {rep + 1}: {results.values['paced_held']}")


def read_rounds(world, sides, params, results) -> None:
    for rep in range(params.reps):
        for side in (sides["ours_json"], sides["ref_json"]):
            sc.passport_rows(world, side, params, results) if side.role == "ours" else sc.reads(
                replace(side, headers=[{"X-App-Code": "x"}]), params, results, "/api/passport", "passport_rps")
            sc.reads(side, params, results, "/api/site", "site_rps")
            sc.reads(side, params, results, "/api/parameters", "parameters_rps")
    log(f"reads: {results.values['site_rps']}")


def list_rounds(procs, world, sides, params, results) -> None:
    side = sides["ours_lists"]
    if not stream_once(side.chat(10)).ok:
        results.notes.append("lists: the template chat failed")
    started = time.monotonic()
    ids = seed_lists(world, params.conversations, params.messages // params.conversations)
    results.notes.append(f"seeded {params.conversations:,} conversations and {params.messages:,} messages in "
                         f"{time.monotonic() - started:.1f} s")
    for _ in range(params.reps):
        sc.list_latency(side, params, results, ids)
        sc.idle_in_transaction(procs, world, sides["ours"], replace(params, idle_streams=params.idle_streams),
                               results)
    message = world.sql("SELECT id::text FROM messages WHERE conversation_id = %s ORDER BY created_at "
                        "OFFSET %s LIMIT 1", (ids[len(ids) // 2], params.messages // params.conversations // 2))
    results.appendix += list_plans(world, side.headers[0], ids[len(ids) // 2], message[0][0] if message else ids[0])
    log(f"lists: {results.values.get('conv_p99')} {results.values.get('msg_p99')}")


def workflow_rounds(procs, world, sides, params, results) -> None:
    for count in params.wf_workers:
        workers = start_workers(procs, world, count, "workflows")
        try:
            for _ in range(params.reps):
                workflow_start(sides["ours_wf"], world, params, results, count)
        finally:
            for worker in workers:
                procs.stop(worker)
    log(f"workflows: {results.values.get('wf_start')}")


def server_errors(text: str) -> list[str]:
    """One note per distinct exception our server logged (tracebacks are bugs, whatever the client saw)."""
    found = collections.Counter(line[:240] for line in text.splitlines()
                                if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b", line))
    return [f"our server logged {n}× `{line}`" for line, n in found.most_common(10)]


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(params: sc.Params, only: list[str]) -> sc.Results:
    results = sc.Results()
    with ExitStack() as stack:
        procs = Procs()
        stack.callback(procs.stop_all)
        world = stack.enter_context(world_context())
        upstream, upstream_port = start_upstream(procs)
        sides = start_servers(procs, world, upstream)
        for side in (sides["ours"], sides["ref"]):  # warm up imports, pools, connections
            for _ in range(3):
                stream_once(side.chat(20))
        log(f"servers up: ours {sides['ours'].port}, ref_proxy {sides['ref'].port}, ref_json {sides['ref_json'].port}")
        phases = {"relay": lambda: relay_rounds(procs, sides, params, results, upstream_port),
                  "reads": lambda: read_rounds(world, sides, params, results),
                  "lists": lambda: list_rounds(procs, world, sides, params, results),
                  "workflows": lambda: workflow_rounds(procs, world, sides, params, results)}
        try:
            for name in only or phases:
                phases[name]()
            results.notes += server_errors(proc_output(sides["ours"].log))
        except BaseException:
            log("our server's log:\n" + proc_output(sides["ours"].log)[-3000:])
            raise
    return results


def render(params: sc.Params, facts: dict[str, str], results: sc.Results, seconds: float) -> str:
    mode = "quick" if params.reps == 1 else "full"
    lines = [f"# Bench suite ({mode}), {facts['date (UTC)']} UTC", "",
             " · ".join(f"{k}: {v}" for k, v in facts.items()) + f" · duration: {seconds:.0f} s", "",
             f"{params.reps} repetition(s), ours and the reference interleaved; one gevent worker each "
             f"(deploy/gunicorn.conf.py). Parameters: `{params}`", "", table(results), "", "## Notes", ""]
    lines += [f"- {note}" for note in results.notes] + ["", "## Plans of the list queries", ""] + results.appendix
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a reduced run (~2 min) for smoke checks")
    parser.add_argument("--only", default="", help="comma-separated phases: relay,reads,lists,workflows")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)
    deployed_bytecode()
    params = sc.QUICK if args.quick else sc.Params()
    facts, started = machine_facts(), time.monotonic()
    results = run(params, [p for p in args.only.split(",") if p])
    text = render(params, facts, results, time.monotonic() - started)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}{'-quick' if args.quick else ''}.md"
    path.write_text(text)
    print(text)
    print(f"written to {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
