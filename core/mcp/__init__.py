"""MCP client on ``requests``: Streamable HTTP (2025-03-26 / 2025-06-18 / 2025-11-25) and HTTP+SSE (2024-11-05).

    config = ServerConfig("https://example.com/mcp", headers={"Authorization": "Bearer ..."})
    with McpSession(config) as session:
        tools = session.list_tools()
        result = session.call_tool("add", {"a": 1, "b": 2}, progress=print, timeout=30)
        outputs = result_to_outputs(result)  # {"text", "json", "files"}
"""
from core.mcp.config import ServerConfig
from core.mcp.convert import openai_tool_name, result_to_outputs, tool_to_openai_function
from core.mcp.errors import (
    McpClientError,
    McpConnectionError,
    McpError,
    McpInvalidParams,
    McpMethodNotFound,
    McpProtocolError,
    McpSessionExpired,
    McpTimeout,
    McpUrlRefused,
)
from core.mcp.http import check_url
from core.mcp.session import McpClient, McpSession
from core.mcp.types import ToolResult

__all__ = [
    "McpClient",
    "McpClientError",
    "McpConnectionError",
    "McpError",
    "McpInvalidParams",
    "McpMethodNotFound",
    "McpProtocolError",
    "McpSession",
    "McpSessionExpired",
    "McpTimeout",
    "McpUrlRefused",
    "ServerConfig",
    "ToolResult",
    "check_url",
    "openai_tool_name",
    "result_to_outputs",
    "tool_to_openai_function",
]
