"""Agent-chat: the app's MCP tools offered to the model as functions, and the tool-call loop (issue 5)."""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from core.mcp import McpClientError, McpSession, tool_to_openai_function
from services import mcp_service
from services.errors import AppError

log = logging.getLogger(__name__)
MAX_ITERATIONS = 5


@dataclass
class AgentTools:
    """OpenAI function schemas and, per function name, the MCP server entry and tool name behind it."""

    functions: list[dict[str, Any]] = field(default_factory=list)
    routes: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)


def discover(entries: list[dict[str, Any]], config: Mapping[str, Any]) -> AgentTools:
    """List the tools of every attached server; a server that cannot be reached is skipped (logged)."""
    tools = AgentTools()
    for entry in entries:
        try:
            with McpSession(mcp_service.server_config(entry, config)) as session:
                listed = session.list_tools()
        except McpClientError as exc:
            log.warning("MCP server %s skipped: %s", entry.get("name"), exc.message)
            continue
        for tool in listed:
            function = tool_to_openai_function(tool)
            tools.functions.append(function)
            tools.routes[function["function"]["name"]] = (entry, tool["name"])
    return tools


def thought(position: int, tool: str, tool_input: str, observation: str = "", text: str = "") -> dict[str, Any]:
    """An agent thought as the `agent_thought` event and the message list carry it."""
    return {"id": str(uuid.uuid4()), "position": position, "thought": text, "observation": observation,
            "tool": tool, "tool_labels": {}, "tool_input": tool_input, "message_files": []}


def run_tool_calls(calls: list[dict[str, Any]], tools: AgentTools, config: Mapping[str, Any], position: int,
                   emit: Callable[[dict[str, Any]], None], text: str) -> tuple[list[dict[str, Any]], list[dict]]:
    """Call each requested tool; emit a thought before and after. Returns (tool messages, thoughts)."""
    messages, thoughts = [], []
    for call in calls:
        name, arguments = call["function"]["name"], call["function"].get("arguments") or "{}"
        current = thought(position, name, arguments, text=text)
        emit(current)
        current["observation"] = _observe(tools, config, name, arguments)
        emit(current)
        thoughts.append(current)
        messages.append({"role": "tool", "tool_call_id": call.get("id") or name, "content": current["observation"]})
    return messages, thoughts


def _observe(tools: AgentTools, config: Mapping[str, Any], name: str, arguments: str) -> str:
    if name not in tools.routes:
        return f"Unknown tool '{name}'."
    entry, tool_name = tools.routes[name]
    try:
        outputs = mcp_service.call_tool([entry], config, entry["id"], tool_name, json.loads(arguments or "{}"))
    except (AppError, ValueError) as exc:
        return getattr(exc, "message", str(exc))
    return outputs["text"] or json.dumps(outputs["json"], ensure_ascii=False)
