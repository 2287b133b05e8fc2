"""Event dicts of workflow and chatflow runs, as the web app receives them (spec §3.2-3.4)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from models import to_timestamp
from services.generation.events import Envelope

# node events lose their details on the web (spec §3.3); node_retry keeps them
STRIPPED = {"node_started": ("inputs",), "node_finished": ("inputs", "process_data", "outputs", "execution_metadata")}
NODE_FIELDS = ("iteration_id", "loop_id", "extras")


def envelope_for(run: Any, app: Any) -> "WorkflowEnvelope":
    """The envelope of a WorkflowRun's events (with the message envelope for chatflow runs)."""
    chat = None
    if run.message_id:
        chat = Envelope(task_id=run.task_id, message_id=run.message_id, conversation_id=run.conversation_id,
                        created_at=to_timestamp(run.created_at), mode=app.mode)
    return WorkflowEnvelope(task_id=run.task_id, run_id=run.id, workflow_id=app.id, chat=chat)


@dataclass(frozen=True)
class WorkflowEnvelope:
    """Fields of one run's events. `chat` is the message envelope of a chatflow run (None for workflows)."""

    task_id: str
    run_id: str
    workflow_id: str
    chat: Envelope | None = None

    def _base(self, event: str) -> dict[str, Any]:
        head = self.chat.base(event) if self.chat else {"event": event}
        return {**head, "task_id": self.task_id, "workflow_run_id": self.run_id}

    def started(self, inputs: dict[str, Any], created_at: int) -> dict[str, Any]:
        data = {"id": self.run_id, "workflow_id": self.workflow_id, "inputs": inputs, "created_at": created_at}
        return {**self._base("workflow_started"), "data": data}

    def engine_event(self, name: str, data: dict[str, Any]) -> dict[str, Any]:
        """An engine event for the web: details stripped; text chunks become `message` in chatflows."""
        if name == "text_chunk" and self.chat is not None:
            return {**self.chat.message(data.get("text", "")),
                    "from_variable_selector": data.get("from_variable_selector")}
        body = dict(data)
        for key in STRIPPED.get(name, ()):
            body[key] = None
        if name.startswith("node_"):
            for key in NODE_FIELDS:
                body.setdefault(key, {} if key == "extras" else None)
        return {**self._base(name), "data": body}

    def finished(self, result: Any, end_user: dict[str, str], created_at: int) -> dict[str, Any]:
        """workflow_finished from the engine's result, a FailedResult, or a stored WorkflowRun row."""
        finished_at = to_timestamp(getattr(result, "finished_at", None)) or int(time.time())
        data = {"id": self.run_id, "workflow_id": self.workflow_id, "status": result.status,
                "outputs": result.outputs, "error": result.error, "elapsed_time": round(result.elapsed_time, 4),
                "total_tokens": result.total_tokens, "total_steps": result.total_steps, "created_by": end_user,
                "created_at": created_at, "finished_at": finished_at,
                "exceptions_count": result.exceptions_count, "files": []}
        return {**self._base("workflow_finished"), "data": data}

    def terminal(self, result: Any, end_user: dict[str, str], created_at: int) -> list[dict[str, Any]]:
        """The events that end a run: workflow_finished, then for chatflows message_end (or the error event)."""
        events = [self.finished(result, end_user, created_at)]
        if self.chat is None:
            return events
        if result.status == "failed":
            return [*events, self.chat.error("invalid_param", f"Run failed: {result.error}", 400)]
        usage = {"total_tokens": result.total_tokens}
        return [*events, self.chat.message_end({"annotation_reply": None, "retriever_resources": [], "usage": usage})]

    def queued(self, position: int | None, queue: str) -> dict[str, Any]:
        """`workflow_queued` (an extension): the run waits for a worker; `position` 1 is next (None: being taken)."""
        return {**self._base("workflow_queued"), "data": {"position": position, "queue": queue}}

    def blocking(self, finished: dict[str, Any]) -> dict[str, Any]:
        """The blocking response of /workflows/run (spec §4)."""
        keys = ("id", "workflow_id", "status", "outputs", "error", "elapsed_time", "total_tokens", "total_steps",
                "created_at", "finished_at")
        return {"task_id": self.task_id, "workflow_run_id": self.run_id,
                "data": {k: finished["data"].get(k) for k in keys}}
