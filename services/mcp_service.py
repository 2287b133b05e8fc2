"""MCP servers attached to apps, and calling their tools (issue 5)."""
from __future__ import annotations

import uuid
from typing import Any, Mapping

from api.extensions import db
from core.mcp import McpClientError, McpSession, ServerConfig, result_to_outputs
from models import App
from services.errors import AppError, InvalidParam, NotFound


class McpToolError(AppError):
    code, status, message = "mcp_tool_error", 400, "The MCP tool call failed."


def server_config(entry: Mapping[str, Any], config: Mapping[str, Any]) -> ServerConfig:
    """A client config for an attached server entry; private/loopback targets follow the server settings.

    An "auto" entry whose probe found only the legacy transport opens it directly (``detected_transport``).
    """
    transport = entry.get("transport", "auto")
    if transport == "auto" and entry.get("detected_transport") == "sse":
        transport = "sse"
    return ServerConfig(entry["url"], headers=dict(entry.get("headers") or {}),
                        transport=transport, timeout=float(entry.get("timeout", 30)),
                        allow_private=bool(config["MCP_ALLOW_PRIVATE"]),
                        allow_loopback=bool(config["MCP_ALLOW_LOOPBACK"]))


def probe(entry: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    """Connect, initialize and list tools: what `flask mcp probe` prints. Raises McpClientError."""
    with McpSession(server_config(entry, config)) as session:
        return {"server_info": session.server_info, "protocol_version": session.protocol_version,
                "transport": session.transport_name, "tools": session.list_tools()}


def add_server(app: App, name: str, url: str, headers: dict[str, str], transport: str,
               config: Mapping[str, Any], timeout: float = 30.0) -> dict[str, Any]:
    """Attach an MCP server to `app` after probing it (its tool names are remembered).

    With transport "auto", the transport the probe settled on is remembered as ``detected_transport`` so
    later sessions against a legacy HTTP+SSE server skip the Streamable HTTP attempt; re-adding the
    server (remove, then add) detects it afresh.
    """
    if any(s["name"] == name for s in servers(app)):
        raise InvalidParam(f"The app already has an MCP server named '{name}'.")
    entry = {"id": str(uuid.uuid4()), "name": name, "url": url, "headers": headers, "transport": transport,
             "timeout": timeout}
    try:
        found = probe(entry, config)
    except McpClientError as exc:
        raise McpToolError(f"Cannot reach MCP server {url}: {exc.message}") from None
    entry["tools"] = [tool["name"] for tool in found["tools"]]
    if transport == "auto":
        entry["detected_transport"] = found["transport"]
    _save(app, servers(app) + [entry])
    return entry


def remove_server(app: App, name: str) -> None:
    """Detach the server called `name`. Raises NotFound."""
    kept = [s for s in servers(app) if s["name"] != name]
    if len(kept) == len(servers(app)):
        raise NotFound(f"No MCP server named '{name}'.")
    _save(app, kept)


def servers(app: App) -> list[dict[str, Any]]:
    return list((app.settings or {}).get("mcp_servers") or [])


def _save(app: App, entries: list[dict[str, Any]]) -> None:
    app.settings = {**(app.settings or {}), "mcp_servers": entries}
    db.session.commit()


def call_tool(entries: list[Mapping[str, Any]], config: Mapping[str, Any], provider_id: str, tool_name: str,
              arguments: dict[str, Any]) -> dict[str, Any]:
    """Call `tool_name` on the attached server whose id, name or URL is `provider_id`.

    Returns {"text", "json", "files"}; raises McpToolError (unknown server, transport or tool error).
    """
    entry = next((e for e in entries if provider_id in (e.get("id"), e.get("name"), e.get("url"))), None)
    if entry is None:
        raise McpToolError(f"No MCP server '{provider_id}' is attached to this app.")
    try:
        with McpSession(server_config(entry, config)) as session:
            result = session.call_tool(tool_name, arguments)
    except McpClientError as exc:
        raise McpToolError(f"MCP tool '{tool_name}' failed: {exc.message}") from None
    if result.is_error:
        raise McpToolError(f"MCP tool '{tool_name}' returned an error: {result.text}")
    return result_to_outputs(result)
