"""An official-SDK MCP server on loopback, and apps allowed to reach loopback MCP servers."""
from __future__ import annotations

import pytest

from tests.mcp.servers import start_streamable


@pytest.fixture
def mcp_url():
    url, stop = start_streamable(process=True)
    yield url
    stop()


@pytest.fixture
def app_overrides():
    return {"MCP_ALLOW_LOOPBACK": True}
