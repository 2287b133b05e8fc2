"""`python -m bench.suite.profile [relay|request|site|passport|paced]`: where our gunicorn worker spends its time.

Stages the same world as the suite, records our worker with py-spy (`pip install -e '.[bench]'`; sampling,
non-blocking) while one load runs, and prints the functions with the most samples (inclusive and self).
"""
from __future__ import annotations

import argparse
import collections
import subprocess
import tempfile
import threading
import time
from contextlib import ExitStack

from bench.suite import scenarios as sc
from bench.suite.loadgen import run_fleet, stream_once
from bench.suite.procs import BIN, Procs, deployed_bytecode
from bench.suite.stage import start_servers, start_upstream
from bench.suite.workflows import _ours_spec, start_workers
from bench.suite.world import world_context

LOADS = {
    "relay": lambda procs, side: run_fleet(procs, [side.chat(1000, index=i) for i in range(50)]),
    "request": lambda procs, side: [stream_once(side.chat(10)) for _ in range(200)],
    "paced": lambda procs, side: run_fleet(procs, [side.chat(250, 0.02, 2.0 * i / 150, i) for i in range(150)]),
    "site": lambda procs, side: sc.wrk(side.port, "/api/site", side.headers[0], 5),
    "workflow": lambda procs, side: [stream_once(_ours_spec(side)) for _ in range(40)],
    "passport": lambda procs, side: sc.wrk(side.port, "/api/passport", {"X-App-Code": side.headers[0]["X-App-Code"]},
                                           5),
}


def summarize(collapsed: str, top: int) -> str:
    """Top functions by inclusive and by self samples, from py-spy's collapsed stacks."""
    inclusive, own, total = collections.Counter(), collections.Counter(), 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        frames, n = stack.split(";"), int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    lines = [f"{total} samples", "", "inclusive:"]
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    lines += ["", "self (with the caller that spends most of it):"]
    for frame, n in own.most_common(top):
        lines.append(f"  {n / total:6.1%}  {frame}  <- {_top_caller(collapsed, frame)}")
    return "\n".join(lines)


def _top_caller(collapsed: str, leaf: str) -> str:
    """The nearest project frame (api/controllers/services/core/models) above `leaf`, by samples."""
    callers = collections.Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if frames[-1] == leaf:
            ours = [f for f in frames[:-1] if any(f"({d}/" in f for d in PROJECT)]
            callers[ours[-1] if ours else "-"] += int(count)
    return callers.most_common(1)[0][0] if callers else "-"


PROJECT = ("api", "controllers", "services", "core", "models", "jobs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("load", choices=sorted(LOADS))
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--raw", help="also keep py-spy's collapsed stacks in this file")
    args = parser.parse_args()
    deployed_bytecode()
    with ExitStack() as stack, tempfile.NamedTemporaryFile(suffix=".txt") as out:
        procs = Procs()
        stack.callback(procs.stop_all)
        world = stack.enter_context(world_context())
        upstream, _ = start_upstream(procs)
        sides = start_servers(procs, world, upstream)
        side, target = sides["ours"], sides["ours"].pid
        for _ in range(3):
            stream_once(side.chat(20))
        if args.load == "workflow":  # profile the RQ worker and its work horses instead of gunicorn
            side, target = sides["ours_wf"], start_workers(procs, world, 1, "workflows")[0].pid
        spy = subprocess.Popen([str(BIN / "py-spy"), "record", "--pid", str(target), "--nonblocking", "--rate",
                                "250", "--subprocesses", "--format", "raw", "--output", out.name, "--duration", "120"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        worker = threading.Thread(target=LOADS[args.load], args=(procs, side))
        worker.start()
        worker.join()
        spy.send_signal(2)  # SIGINT: py-spy writes what it has
        spy.wait(30)
        collapsed = open(out.name).read()
        if args.raw:
            open(args.raw, "w").write(collapsed)
        print(summarize(collapsed, args.top))


if __name__ == "__main__":
    main()
