"""Conversions between MCP shapes and what the app uses (OpenAI tools, Dify tool-node outputs)."""
from __future__ import annotations

import json
import re
from typing import Any

from core.mcp.types import ToolResult

FILE_BLOCKS = ("image", "audio", "resource", "resource_link")
_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")
_EMPTY_SCHEMA = {"type": "object", "properties": {}}


def tool_to_openai_function(tool: dict) -> dict:
    """An OpenAI ``tools`` entry (``{"type": "function", "function": {...}}``) for an MCP tool.

    ``parameters`` is the tool's ``inputSchema`` (an object schema; an empty one when missing).
    OpenAI names allow ``[a-zA-Z0-9_-]{1,64}``: other characters become ``_`` and long names are cut,
    so keep a map from the returned name back to ``tool["name"]`` when they differ.
    """
    schema = tool.get("inputSchema")
    schema = dict(schema) if isinstance(schema, dict) else dict(_EMPTY_SCHEMA)
    schema.setdefault("type", "object")
    if schema["type"] == "object":
        schema.setdefault("properties", {})
    function = {"name": openai_tool_name(str(tool.get("name") or "tool")), "parameters": schema}
    description = tool.get("description") or tool.get("title") or (tool.get("annotations") or {}).get("title")
    if description:
        function["description"] = str(description)
    return {"type": "function", "function": function}


def openai_tool_name(name: str) -> str:
    """``name`` made acceptable as an OpenAI function name."""
    return _NAME_UNSAFE.sub("_", name)[:64] or "tool"


def result_to_outputs(result: ToolResult | dict) -> dict:
    """Dify tool-node outputs for a tool result: ``{"text": str, "json": list, "files": list}``.

    ``text`` concatenates the text blocks; ``json`` is ``[structuredContent]`` when present, else every
    text block that parses as a JSON object or array; ``files`` are the image, audio, resource and
    resource_link blocks as given.
    """
    if isinstance(result, dict):
        result = ToolResult.from_result(result)
    files = [dict(block) for block in result.content if block.get("type") in FILE_BLOCKS]
    if result.structured_content is not None:
        json_items = [result.structured_content]
    else:
        json_items = [item for item in map(_json_text, result.content) if item is not None]
    return {"text": result.text, "json": json_items, "files": files}


def _json_text(block: dict) -> Any:
    if block.get("type") != "text":
        return None
    text = str(block.get("text", "")).strip()
    if not text.startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
