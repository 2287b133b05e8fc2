"""Benchmark: MCP ``tools/call`` round trips per second, our client versus the official SDK client.

    .venv/bin/python bench/mcp_roundtrip.py [--calls 300] [--runs 3] [--warmup 30]

Starts the SDK's MCPServer (formerly FastMCP) test server from tests/mcp/servers.py in child processes
(Streamable HTTP, stateful, SSE replies; and legacy HTTP+SSE under /mcp-prefix), then times ``--calls``
sequential ``add`` calls per run, after ``--warmup`` calls, through:

- ours: ``core.mcp.McpSession`` (requests, blocking);
- SDK: ``mcp.client.streamable_http.streamable_http_client`` / ``mcp.client.sse.sse_client`` + ``ClientSession``
  (httpx2 + anyio on asyncio).

Both clients hold a session on the same server and their runs alternate (ours first on even runs).
Prints the median calls/s of ``--runs`` runs for each, and ours / SDK (> 1 means ours is faster).
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Awaitable, Callable

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # a script, not a package: reuse the test servers

from mcp import ClientSession  # noqa: E402
from mcp.client.sse import sse_client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402

from core.mcp import McpSession, ServerConfig  # noqa: E402
from tests.mcp.servers import start_sse, start_streamable  # noqa: E402


async def bench_pair(url: str, transport: str, calls: int, runs: int, warmup: int) -> tuple[list[float], list[float]]:
    """Rates of ``runs`` runs of ``calls`` sequential calls, ours and the SDK's, runs interleaved.

    Both sessions stay open on the same server; the order alternates per run so that drift (server
    state, other load on the machine) does not favour either client.
    """
    config = ServerConfig(url, transport=transport, allow_loopback=True, timeout=30)
    connect = streamable_http_client(url) if transport == "streamable" else sse_client(url)
    async with connect as streams, ClientSession(streams[0], streams[1]) as sdk_session:
        await sdk_session.initialize()
        with McpSession(config) as ours_session:
            clients = {"ours": _ours_call(ours_session), "sdk": _sdk_call(sdk_session)}
            for call in clients.values():
                await _timed(call, warmup)
            rates: dict[str, list[float]] = {"ours": [], "sdk": []}
            for run in range(runs):
                for name in ("ours", "sdk") if run % 2 == 0 else ("sdk", "ours"):
                    rates[name].append(calls / await _timed(clients[name], calls))
    return rates["ours"], rates["sdk"]


def _ours_call(session: McpSession) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        _check(session.call_tool("add", {"a": 1, "b": 2}).text)  # blocking: the loop has nothing else to do

    return call


def _sdk_call(session: ClientSession) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        result = await session.call_tool("add", {"a": 1, "b": 2})
        _check(result.content[0].text)

    return call


async def _timed(call: Callable[[], Awaitable[None]], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await call()
    return time.perf_counter() - started


def _check(text: str) -> None:
    if text != "3":
        raise RuntimeError(f"unexpected tool result {text!r}")


def report(label: str, ours: list[float], sdk: list[float]) -> None:
    """Print one transport's medians and ratio."""
    ours_median, sdk_median = statistics.median(ours), statistics.median(sdk)
    print(f"{label:<24} ours {ours_median:8.1f} calls/s   SDK {sdk_median:8.1f} calls/s   "
          f"ours/SDK {ours_median / sdk_median:5.2f}")
    print(f"{'':<24} runs: ours {', '.join(f'{r:.0f}' for r in ours)}; SDK {', '.join(f'{r:.0f}' for r in sdk)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=30)
    options = parser.parse_args()
    args = (options.calls, options.runs, options.warmup)
    print(f"{options.calls} sequential tools/call 'add' per run, median of {options.runs} runs, "
          f"{options.warmup} warm-up calls; server: SDK MCPServer in a child process")
    for label, transport, start in (("Streamable HTTP (SSE)", "streamable", start_streamable),
                                    ("legacy HTTP+SSE", "sse", start_sse)):
        url, stop = start(process=True)
        try:
            ours, sdk = asyncio.run(bench_pair(url, transport, *args))
        finally:
            stop()
        report(label, ours, sdk)


if __name__ == "__main__":
    main()
