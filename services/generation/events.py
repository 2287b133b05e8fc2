"""The event dicts of a completion or chat run (spec §3.2, §3.3)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from core.sse import Template


@dataclass(frozen=True)
class Envelope:
    """Fields every event of one run starts with."""

    task_id: str
    message_id: str
    conversation_id: str | None
    created_at: int
    mode: str

    def base(self, event: str) -> dict[str, Any]:
        head: dict[str, Any] = {"event": event}
        if self.mode != "completion":
            head["conversation_id"] = self.conversation_id
        head.update(message_id=self.message_id, created_at=self.created_at)
        return head

    def message(self, answer: str) -> dict[str, Any]:
        """A text event; its JSON is built from a per-run template (one per token: kept cheap)."""
        return self._message_template.make(answer)

    @cached_property
    def _message_template(self) -> Template:
        name = "agent_message" if self.mode == "agent-chat" else "message"
        return Template({**self.base(name), "task_id": self.task_id, "id": self.message_id, "answer": "",
                         "from_variable_selector": None}, "answer")

    def agent_thought(self, current: dict[str, Any]) -> dict[str, Any]:
        return {**self.base("agent_thought"), "task_id": self.task_id, **current}

    def message_end(self, metadata: dict[str, Any]) -> dict[str, Any]:
        return {**self.base("message_end"), "task_id": self.task_id, "id": self.message_id,
                "metadata": metadata, "files": None}

    def error(self, code: str, message: str, status: int = 400) -> dict[str, Any]:
        return {**self.base("error"), "code": code, "status": status, "message": message}

    def blocking(self, answer: str, metadata: dict[str, Any]) -> dict[str, Any]:
        body = {"event": "message", "task_id": self.task_id, "id": self.message_id,
                "message_id": self.message_id, "mode": self.mode, "answer": answer,
                "metadata": metadata, "created_at": self.created_at}
        if self.mode != "completion":
            body["conversation_id"] = self.conversation_id
        return body
