"""The client side: SSE streams over raw HTTP/1.0 sockets, in-process or in gevent load-generator processes.

A stream is read as bytes and never JSON-decoded: the time to the first `first` marker, the number of `count`
markers and whether the `end` marker came are all the suite needs, so the client stays far cheaper per event
than any server it measures (the suite checks this against the reference upstream). HTTP/1.0 keeps the body
free of chunk framing; the body ends when the server closes the connection.

`python -m bench.suite.loadgen` reads one JSON job from stdin, prints `ready`, waits for a `go` line, runs the
job's streams concurrently under gevent and prints one JSON line of results.
"""
from __future__ import annotations

import json
import resource
import socket
import sys
import time
from dataclasses import asdict, dataclass, field


@dataclass
class StreamSpec:
    port: int
    path: str
    body: dict
    headers: dict = field(default_factory=dict)
    first: str = '"event":"message"'
    count: str = '"event":"message"'
    end: str = '"event":"message_end"'
    delay: float = 0.0  # seconds to wait before sending (arrivals spread over a ramp)


@dataclass
class Sample:
    started: float  # time.monotonic() (system-wide on Linux, so comparable across processes)
    ttfe: float  # seconds to the first `first` marker; -1 when none came
    events: int
    ok: bool  # status 200 and the `end` marker seen
    ended: float
    status: int


def _request(spec: StreamSpec) -> bytes:
    body = json.dumps(spec.body).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in spec.headers.items())
    return (f"POST {spec.path} HTTP/1.0\r\nHost: 127.0.0.1:{spec.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n").encode() + body


def stream_once(spec: StreamSpec, timeout: float = 60.0) -> Sample:
    """One request, read to the end of the body."""
    first, count, end = spec.first.encode(), spec.count.encode(), spec.end.encode()
    keep = max(len(first), len(end)) - 1  # a marker cut by a read boundary is found in tail + data
    if spec.delay:
        time.sleep(spec.delay)
    started = time.monotonic()
    ttfe, events, seen_end, status, tail, count_tail = -1.0, 0, False, 0, b"", b""
    try:
        with socket.create_connection(("127.0.0.1", spec.port), timeout=timeout) as sock:
            sock.sendall(_request(spec))
            while data := sock.recv(262144):
                buffer = tail + data
                if not status:
                    status = int(buffer.split(b" ", 2)[1]) if buffer.startswith(b"HTTP/") else 599
                if ttfe < 0 and first in buffer:
                    ttfe = time.monotonic() - started
                counted = count_tail + data  # a tail shorter than the marker cannot hold a whole one twice
                events += counted.count(count)
                seen_end = seen_end or end in buffer
                tail, count_tail = buffer[-keep:], counted[-(len(count) - 1):]
    except OSError:
        status = status or 598
    return Sample(started, ttfe, events, status == 200 and seen_end, time.monotonic(), status)


def _run_job(job: dict) -> dict:
    import gevent
    from gevent.pool import Pool

    specs = [StreamSpec(**spec) for spec in job["specs"]]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    pool = Pool(len(specs))
    greenlets = [pool.spawn(stream_once, spec, job.get("timeout", 60.0)) for spec in specs]
    gevent.joinall(greenlets, timeout=job.get("timeout", 60.0) + max((s.delay for s in specs), default=0) + 5)
    after = resource.getrusage(resource.RUSAGE_SELF)
    samples = [asdict(g.value) if g.successful() else None for g in greenlets]
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    return {"samples": samples, "cpu": cpu}


def main() -> None:
    from gevent import monkey

    monkey.patch_all()
    job = json.loads(sys.stdin.readline())
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    print(json.dumps(_run_job(job)), flush=True)


if __name__ == "__main__":
    main()


def run_fleet(procs, specs: list[StreamSpec], processes: int = 2, timeout: float = 60.0) -> tuple[list, float]:
    """Run `specs` all at once from `processes` load-generator processes started together.

    Returns (samples, None for a stream that did not finish in time) and the generators' CPU seconds.
    """
    import os
    import subprocess

    from bench.suite.procs import BIN

    env = dict(os.environ, PYTHONPATH=str(procs_repo()))
    children = [procs.spawn([str(BIN / "python"), "-m", "bench.suite.loadgen"], env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                for _ in range(processes)]
    try:
        for index, child in enumerate(children):
            part = [asdict(spec) for spec in specs[index::processes]]
            child.stdin.write(json.dumps({"specs": part, "timeout": timeout}) + "\n")
            child.stdin.flush()
        for child in children:
            child.stdout.readline()  # "ready"
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [json.loads(child.stdout.readline()) for child in children]
    finally:
        for child in children:
            procs.stop(child)
    samples = [Sample(**s) if s else None for result in results for s in result["samples"]]
    return samples, sum(result["cpu"] for result in results)


def procs_repo():
    from bench.suite.procs import REPO

    return REPO
