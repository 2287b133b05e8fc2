"""The interface between the engine and node executors (``core/workflow/nodes/*``).

An executor is a function ``run(node: NodeRun) -> NodeResult`` that raises NodeError on failure.
"""
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from core.text import clean_text
from core.workflow.graph import DEFAULT_HANDLE, node_title, node_type
from core.workflow.state import CancelScope, RunState
from core.workflow.variables import VariablePool


@dataclass
class NodeResult:
    """A node's successful run: outputs (into the pool), details for the record, the edge handle taken."""

    outputs: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    process_data: dict = field(default_factory=dict)
    handle: str = DEFAULT_HANDLE
    tokens: int = 0


@dataclass
class Placement:
    """Where a node runs: top level, or inside round ``iteration_index`` of iteration ``iteration_id``."""

    iteration_id: str | None = None
    iteration_index: int | None = None
    streaming: bool = True


class NodeRun:
    """One execution of one node, as seen by its executor."""

    def __init__(self, node: dict, state: RunState, pool: VariablePool, scope: CancelScope, *,
                 execution_id: str, placement: Placement,
                 stream: Callable[[str, str, str], None] | None = None,
                 run_round: Callable[..., VariablePool] | None = None):
        self.node = node
        self.node_id = str(node["id"])
        self.data: dict = node["data"]
        self.type = node_type(node)
        self.title = node_title(node)
        self.state = state
        self.ctx = state.ctx
        self.limits = state.limits
        self.pool = pool
        self.scope = scope
        self.execution_id = execution_id
        self.placement = placement
        self._stream = stream
        self._run_round = run_round

    def get(self, selector: list | None) -> Any:
        """The value at ``selector`` in this node's pool (None when missing)."""
        return self.pool.get(selector)

    def render(self, template: str | None, extra: dict | None = None) -> str:
        """Render ``{{#...#}}`` references in ``template``."""
        return self.pool.render(template, extra)

    def checkpoint(self) -> None:
        """Raise RunAborted when the run was stopped or this node's scope cancelled."""
        self.state.checkpoint(self.scope)

    def cancelled(self) -> bool:
        """True when the run was stopped or this node's scope cancelled (does not raise)."""
        self.state.poll_stop()
        return self.scope.cancelled_reason() is not None

    def emit(self, event: str, data: dict) -> None:
        """Emit an event through the run's ``emit``."""
        self.state.emit(event, data)

    def stream_chunk(self, output: str, text: str) -> None:
        """Offer a streamed piece of output ``output`` (e.g. an LLM's "text") to answer/end streaming."""
        if self._stream is not None and text:
            self._stream(self.node_id, output, clean_text(text))

    def run_round(self, index: int, item: Any, scope: CancelScope, streaming: bool) -> VariablePool:
        """Run this iteration node's body once for ``item``; returns the round's pool. Raises NodeError."""
        if self._run_round is None:
            raise RuntimeError("run_round is only available to iteration nodes")
        return self._run_round(self, index, item, scope, streaming)

    @contextmanager
    def on_cancel(self, hook: Callable[[], None]) -> Iterator[None]:
        """Within the block, call ``hook`` if the node is cancelled (to wake blocking I/O)."""
        self.scope.add_hook(hook)
        try:
            yield
        finally:
            self.scope.remove_hook(hook)
