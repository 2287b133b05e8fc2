"""Result objects returned by the MCP session."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ToolResult:
    """A ``tools/call`` result. ``is_error`` marks a tool-level failure the caller should inspect.

    ``content`` holds the raw content blocks (``{"type": "text", "text": ...}``, image, audio,
    resource, resource_link); ``structured_content`` the optional ``structuredContent`` object.
    """

    content: list[dict] = field(default_factory=list)
    structured_content: Any = None
    is_error: bool = False
    meta: dict | None = None

    @classmethod
    def from_result(cls, result: dict) -> ToolResult:
        """Build from the JSON-RPC ``result`` of ``tools/call`` (tolerating missing members)."""
        content = result.get("content")
        return cls(
            content=[block for block in content if isinstance(block, dict)] if isinstance(content, list) else [],
            structured_content=result.get("structuredContent"),
            is_error=bool(result.get("isError", False)),
            meta=result.get("_meta"),
        )

    @property
    def text(self) -> str:
        """The text blocks concatenated (as Dify concatenates tool text messages)."""
        return "".join(str(block.get("text", "")) for block in self.content if block.get("type") == "text")

    def to_dict(self) -> dict:
        """The result in MCP wire form."""
        result: dict = {"content": self.content, "isError": self.is_error}
        if self.structured_content is not None:
            result["structuredContent"] = self.structured_content
        if self.meta is not None:
            result["_meta"] = self.meta
        return result
