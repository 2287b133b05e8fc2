"""The JSON payloads of SSE `data:` lines on /api (spec §3.2-§3.3), as pydantic models.

Every frame is `id: <task_id>:<seq>` + `data: <one of these>`; the keep-alive `event: ping` frame has
no data. Chat-family events carry `conversation_id`, `message_id` and `created_at`; completion events
lack `conversation_id`; workflow events carry `workflow_run_id` instead of the message fields.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, RootModel

from controllers.openapi.bodies import Thought, WireModel

NodeStatus = Literal["succeeded", "failed", "exception", "stopped", "retry"]
RunStatus = Literal["succeeded", "failed", "stopped", "partial-succeeded"]


class MessageEnvelope(WireModel):
    """Envelope fields of chat and completion events (absent ones do not apply to the run's mode)."""

    conversation_id: str | None = None
    message_id: str | None = None
    created_at: int | None = None


class RunEnvelope(MessageEnvelope):
    """Envelope of workflow events; chatflow runs add the message fields."""

    task_id: str
    workflow_run_id: str


class MessageEvent(MessageEnvelope):
    """A text delta of the answer."""

    event: Literal["message"]
    task_id: str
    id: str
    answer: str
    from_variable_selector: list[str] | None


class AgentMessageEvent(MessageEvent):
    event: Literal["agent_message"]


class AgentThoughtEvent(MessageEnvelope, Thought):
    """A tool call of an agent; the same `id` repeats as it fills in."""

    event: Literal["agent_thought"]
    task_id: str


class MessageEndEvent(MessageEnvelope):
    event: Literal["message_end"]
    task_id: str
    id: str
    metadata: dict[str, Any]
    files: list[Any] | None


class ErrorEvent(MessageEnvelope):
    """A run that failed after its stream began (no `task_id`)."""

    event: Literal["error"]
    code: str
    status: int
    message: str


class StartedData(WireModel):
    id: str
    workflow_id: str
    inputs: dict[str, Any]
    created_at: int


class WorkflowStartedEvent(RunEnvelope):
    event: Literal["workflow_started"]
    data: StartedData


class CreatedBy(WireModel):
    id: str
    user: str


class FinishedData(WireModel):
    id: str
    workflow_id: str
    status: RunStatus
    outputs: dict[str, Any] | None
    error: str | None
    elapsed_time: float
    total_tokens: int
    total_steps: int
    created_by: CreatedBy
    created_at: int
    finished_at: int
    exceptions_count: int
    files: list[Any]


class WorkflowFinishedEvent(RunEnvelope):
    event: Literal["workflow_finished"]
    data: FinishedData


class NodeData(WireModel):
    id: str
    node_id: str
    node_type: str
    title: str
    index: int
    predecessor_node_id: str | None
    inputs: dict[str, Any] | None
    created_at: int
    extras: dict[str, Any]
    iteration_id: str | None
    loop_id: str | None


class NodeStartedEvent(RunEnvelope):
    """A node began (its inputs are not sent to the web)."""

    event: Literal["node_started"]
    data: NodeData


class NodeFinishedData(NodeData):
    process_data: dict[str, Any] | None
    outputs: dict[str, Any] | None
    status: NodeStatus
    error: str | None
    elapsed_time: float
    execution_metadata: dict[str, Any] | None
    finished_at: int
    files: list[Any]


class NodeFinishedEvent(RunEnvelope):
    """A node ended (its inputs, outputs and metadata are not sent to the web)."""

    event: Literal["node_finished"]
    data: NodeFinishedData


class NodeRetryData(NodeFinishedData):
    retry_index: int


class NodeRetryEvent(RunEnvelope):
    """A failed attempt of a node with retries; details are kept."""

    event: Literal["node_retry"]
    data: NodeRetryData


class IterationData(WireModel):
    id: str
    node_id: str
    node_type: Literal["iteration"]
    title: str
    created_at: int
    extras: dict[str, Any]


class IterationStartedData(IterationData):
    inputs: dict[str, Any]
    inputs_truncated: bool
    metadata: dict[str, Any]


class IterationNextData(IterationData):
    index: int


class IterationCompletedData(IterationStartedData):
    outputs: dict[str, Any]
    outputs_truncated: bool
    status: RunStatus
    error: str | None
    elapsed_time: float
    total_tokens: int
    execution_metadata: dict[str, Any]
    finished_at: int
    steps: int
    metadata: dict[str, Any] | None = None


class IterationStartedEvent(RunEnvelope):
    event: Literal["iteration_started"]
    data: IterationStartedData


class IterationNextEvent(RunEnvelope):
    event: Literal["iteration_next"]
    data: IterationNextData


class IterationCompletedEvent(RunEnvelope):
    event: Literal["iteration_completed"]
    data: IterationCompletedData


class TextChunkData(WireModel):
    text: str
    from_variable_selector: list[str] | None


class TextChunkEvent(RunEnvelope):
    """Streamed answer text of a workflow app (chatflows send `message` events instead)."""

    event: Literal["text_chunk"]
    data: TextChunkData


def _union(*models: type) -> Any:
    return Annotated[Union[models], Field(discriminator="event")]


NODE_EVENTS = (WorkflowStartedEvent, NodeStartedEvent, NodeFinishedEvent, NodeRetryEvent, IterationStartedEvent,
               IterationNextEvent, IterationCompletedEvent, WorkflowFinishedEvent)


class CompletionStreamEvent(RootModel[_union(MessageEvent, MessageEndEvent, ErrorEvent)]):
    """An event of a completion run."""


class ChatStreamEvent(RootModel[_union(MessageEvent, AgentMessageEvent, AgentThoughtEvent, MessageEndEvent,
                                       ErrorEvent, *NODE_EVENTS)]):
    """An event of a chat, agent-chat or chatflow (advanced-chat) turn."""


class WorkflowStreamEvent(RootModel[_union(*NODE_EVENTS, TextChunkEvent, ErrorEvent)]):
    """An event of a workflow run."""


class AnyStreamEvent(RootModel[_union(MessageEvent, AgentMessageEvent, AgentThoughtEvent, MessageEndEvent,
                                      ErrorEvent, *NODE_EVENTS, TextChunkEvent)]):
    """An event of any run (the resume routes serve every kind)."""
