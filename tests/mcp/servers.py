"""Loopback MCP servers built with the official SDK (``mcp`` 2.x, ``MCPServer``, formerly ``FastMCP``).

Reusable from any test or benchmark::

    url, stop = start_streamable(stateless=False, json_response=False)   # url ends in /mcp
    url, stop = start_sse(prefix="/mcp-prefix")                           # url ends in /mcp-prefix/sse
    ...
    stop()

Both run uvicorn on 127.0.0.1 on a free port, in a daemon thread of this process (default) or, with
``process=True``, in a child process (``python -m tests.mcp.servers streamable|sse ...``) so the server does
not share the caller's GIL. ``stop()`` shuts the server down and joins it (bounded by a few seconds).

Tools: ``add(a, b)``, ``echo(text)``, ``slow_progress(steps)`` (progress + log per step, then "done"),
``fail()`` (an ``isError`` result), ``sleep(seconds)``, ``weather(city)`` (structured content),
``notify_change()`` (a request-scoped ``notifications/resources/list_changed`` plus an unscoped
``notifications/tools/list_changed``, which reaches only a listening GET stream or the legacy SSE stream),
``ping_client()`` (a server->client ``ping`` on the request's stream), ``ask_roots()`` (a ``roots/list``
request; returns the client's error message). Resource ``info://about`` and template ``greeting://{name}``;
prompt ``review(code)``.
"""
from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, TypedDict

import anyio
import mcp.types as types
import uvicorn
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp.shared.message import ServerMessageMetadata

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0


class Weather(TypedDict):
    city: str
    temperature: float
    conditions: str


def build_server() -> MCPServer:
    """The demo server every interop test talks to."""
    server = MCPServer("llm-web-api-test", version="1.0.0", log_level="WARNING")
    _add_basic_tools(server)
    _add_session_tools(server)
    _add_resources_and_prompts(server)
    return server


def _add_basic_tools(server: MCPServer) -> None:
    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @server.tool()
    def echo(text: str) -> str:
        """Return the text unchanged."""
        return text

    @server.tool()
    async def slow_progress(steps: int, ctx: Context) -> str:
        """Report progress and log once per step, then answer "done"."""
        for step in range(1, steps + 1):
            await ctx.report_progress(step, steps, f"step {step}")
            await _log(ctx, f"step {step} of {steps}")
            await anyio.sleep(0.01)
        return "done"

    @server.tool()
    def fail() -> str:
        """Always fails: the client receives an isError result."""
        raise ToolError("this tool always fails")

    @server.tool()
    async def sleep(seconds: float) -> str:
        """Sleep, then answer "slept"."""
        await anyio.sleep(seconds)
        return "slept"

    @server.tool()
    def weather(city: str) -> Weather:
        """Structured output: a small weather report."""
        return Weather(city=city, temperature=21.5, conditions="sunny")


async def _log(ctx: Context, text: str) -> None:
    """``notifications/message`` on the request's stream (``ctx.info`` is deprecated in SDK 2.x)."""
    params = types.LoggingMessageNotificationParams(level="info", data=text)
    await ctx.session.send_notification(types.LoggingMessageNotification(params=params), ctx.request_id)


def _add_session_tools(server: MCPServer) -> None:
    @server.tool()
    async def notify_change(ctx: Context) -> str:
        """Send list-changed notifications: one on this request's stream, one unscoped."""
        await ctx.session.send_notification(types.ResourceListChangedNotification(), related_request_id=ctx.request_id)
        await ctx.session.send_tool_list_changed()
        return "notified"

    @server.tool()
    async def ping_client(ctx: Context) -> str:
        """Ping the client on this request's stream."""
        meta = ServerMessageMetadata(related_request_id=ctx.request_id)
        await ctx.session.send_request(types.PingRequest(), types.EmptyResult, 5, meta)
        return "pong"

    @server.tool()
    async def ask_roots(ctx: Context) -> str:
        """Ask the client for roots; answer with the client's error message."""
        meta = ServerMessageMetadata(related_request_id=ctx.request_id)
        try:
            await ctx.session.send_request(types.ListRootsRequest(), types.ListRootsResult, 5, meta)
        except MCPError as exc:
            return f"error {exc.error.code}: {exc.error.message}"
        return "roots answered"


def _add_resources_and_prompts(server: MCPServer) -> None:
    @server.resource("info://about", mime_type="text/plain")
    def about() -> str:
        """A static text resource."""
        return "llm-web-api MCP test server"

    @server.resource("greeting://{name}")
    def greeting(name: str) -> str:
        """A templated resource."""
        return f"Hello, {name}!"

    @server.prompt()
    def review(code: str) -> str:
        """Ask for a code review."""
        return f"Please review this code:\n\n{code}"


def streamable_app(stateless: bool = False, json_response: bool = False):
    """The Streamable HTTP ASGI app, served at ``/mcp``."""
    return build_server().streamable_http_app(stateless_http=stateless, json_response=json_response)


def sse_app(prefix: str = "/mcp-prefix"):
    """The legacy HTTP+SSE ASGI app mounted under ``prefix`` (stream at ``{prefix}/sse``)."""
    from starlette.applications import Starlette
    from starlette.routing import Mount

    return Starlette(routes=[Mount(prefix, app=build_server().sse_app())])


def start_streamable(stateless: bool = False, json_response: bool = False,
                     process: bool = False) -> tuple[str, Callable[[], None]]:
    """Serve :func:`streamable_app` on loopback; return ``(url, stop)``."""
    if process:
        args = ["streamable"] + (["--stateless"] if stateless else []) + (["--json"] if json_response else [])
        return _start_process(args, "/mcp")
    return _start_thread(streamable_app(stateless, json_response), "/mcp")


def start_sse(prefix: str = "/mcp-prefix", process: bool = False) -> tuple[str, Callable[[], None]]:
    """Serve :func:`sse_app` on loopback; return ``(url of the SSE stream, stop)``."""
    if process:
        return _start_process(["sse", "--prefix", prefix], f"{prefix}/sse")
    return _start_thread(sse_app(prefix), f"{prefix}/sse")


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this; uvicorn only sets it on sockets it binds itself, and without it
    # Nagle + delayed ACK stall every keep-alive response of the legacy SSE app by ~40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    return sock


def _start_thread(app, path: str) -> tuple[str, Callable[[], None]]:
    sock = _bound_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError("MCP test server did not start")

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()

    return f"http://127.0.0.1:{port}{path}", stop


def _start_process(args: list[str], path: str) -> tuple[str, Callable[[], None]]:
    command = [sys.executable, "-m", "tests.mcp.servers", *args]
    child = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    port = _read_port(child)

    def stop() -> None:
        child.terminate()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=5)
        child.stdout.close()

    return f"http://127.0.0.1:{port}{path}", stop


def _read_port(child: subprocess.Popen) -> int:
    timer = threading.Timer(START_TIMEOUT, child.kill)
    timer.start()
    try:
        line = child.stdout.readline()
    finally:
        timer.cancel()
    if not line.startswith("PORT "):
        child.kill()
        child.wait(timeout=5)
        raise RuntimeError("MCP test server process did not start")
    return int(line.split()[1])


def main() -> None:
    """Child-process entry: serve until terminated, printing ``PORT <n>`` once listening."""
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["streamable", "sse"])
    parser.add_argument("--stateless", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--prefix", default="/mcp-prefix")
    options = parser.parse_args()
    if options.kind == "sse":
        app = sse_app(options.prefix)
    else:
        app = streamable_app(options.stateless, options.json)
    sock = _bound_socket()
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1)).run(sockets=[sock])


if __name__ == "__main__":
    main()
