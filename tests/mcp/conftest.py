"""Fixtures for the MCP client tests: loopback SDK servers (one per module) and session helpers.

Nothing here needs PostgreSQL or Redis; the servers come from :mod:`tests.mcp.servers`.
"""
from __future__ import annotations

import pytest

from core.mcp import McpSession, ServerConfig
from tests.mcp.servers import start_sse, start_streamable

SDK_KINDS = ("stateful", "stateless_json", "legacy_sse")


def make_config(url: str, **overrides) -> ServerConfig:
    """A config for a loopback test server (loopback allowed, short timeouts)."""
    settings = {"allow_loopback": True, "timeout": 10.0, "sse_read_timeout": 30.0}
    settings.update(overrides)
    return ServerConfig(url, **settings)


@pytest.fixture(scope="module")
def stateful_url():
    """Streamable HTTP, stateful, SSE replies."""
    url, stop = start_streamable()
    yield url
    stop()


@pytest.fixture(scope="module")
def stateless_json_url():
    """Streamable HTTP, stateless, JSON replies."""
    url, stop = start_streamable(stateless=True, json_response=True)
    yield url
    stop()


@pytest.fixture(scope="module")
def legacy_sse_url():
    """Legacy HTTP+SSE mounted under /mcp-prefix (stream at /mcp-prefix/sse)."""
    url, stop = start_sse("/mcp-prefix")
    yield url
    stop()


@pytest.fixture(params=SDK_KINDS)
def sdk_kind(request) -> str:
    """Each SDK server flavour in turn."""
    return request.param


@pytest.fixture
def sdk_url(request, sdk_kind) -> str:
    """The URL of the SDK server of ``sdk_kind``."""
    return request.getfixturevalue(f"{sdk_kind}_url")


@pytest.fixture
def open_session():
    """``open_session(url, **session_kwargs)`` -> an initialized McpSession closed at teardown."""
    sessions: list[McpSession] = []

    def opener(url: str, transport: str = "auto", timeout: float = 10.0, **kwargs) -> McpSession:
        session = McpSession(make_config(url, transport=transport, timeout=timeout), **kwargs)
        sessions.append(session)
        session.initialize()
        return session

    yield opener
    for session in sessions:
        session.close()
