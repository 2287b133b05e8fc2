"""Run our client under gevent's monkey-patching (as the server does): ``python -m tests.mcp.gevent_probe URL...``.

For each URL: five 0.3 s tool calls in parallel greenlets must overlap, progress must arrive, a timeout
must fire, and close() must return. Prints ``OK <url> <seconds>`` per URL; exits non-zero on failure.
"""
from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402

from core.mcp import McpSession, McpTimeout, ServerConfig  # noqa: E402

CALLS = 5


def probe(url: str) -> float:
    """Exercise one server; return the wall time of the parallel calls."""
    config = ServerConfig(url, allow_loopback=True, timeout=10)
    with McpSession(config, listen=True) as session:
        started = time.monotonic()
        jobs = [gevent.spawn(session.call_tool, "sleep", {"seconds": 0.3}) for _ in range(CALLS)]
        gevent.joinall(jobs, timeout=10, raise_error=True)
        elapsed = time.monotonic() - started
        assert all(job.value.text == "slept" for job in jobs), [job.value for job in jobs]
        progress = []
        assert session.call_tool("slow_progress", {"steps": 2}, progress=lambda *a: progress.append(a)).text == "done"
        assert len(progress) == 2, progress
        try:
            session.call_tool("sleep", {"seconds": 0.5}, timeout=0.1)
        except McpTimeout:
            pass
        else:
            raise AssertionError("no timeout")
    return elapsed


def main() -> None:
    for url in sys.argv[1:]:
        print(f"OK {url} {probe(url):.3f}", flush=True)


if __name__ == "__main__":
    main()
