"""Streaming of answer text as ``text_chunk`` events, in template order, as early as possible.

Each answer node (and, for LLM text outputs, each end node) has a plan: its template split into
literal and reference segments. A plan becomes *active* once a node has started from which the
answer node will surely be reached; an active plan emits its segments in order as soon as their
values exist, and forwards an LLM's tokens live while its cursor sits on that LLM's ``text``.
Output nodes wait for the output nodes upstream of them. When an output node itself runs, the
rest of its plan is flushed.
"""
import threading
from dataclasses import dataclass, field
from typing import Callable

from core.workflow.graph import Graph, node_type
from core.workflow.variables import CONVERSATION, ENV, SYSTEM, VariablePool, template_segments, to_text

OUTPUT_TYPES = frozenset({"answer", "end"})


@dataclass
class _Plan:
    segments: list
    upstream: set
    cursor: int = 0
    streamed: str = ""
    active: bool = False
    done: bool = False


@dataclass
class StreamCoordinator:
    """Decides when text reaches ``emit_text(text, from_variable_selector)``. Thread-safe."""

    graph: Graph
    pool: VariablePool
    emit_text: Callable[[str, list], None]
    live: bool = True
    _plans: dict = field(default_factory=dict)
    _settled: set = field(default_factory=set)
    _running: set = field(default_factory=set)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        outputs = [nid for nid, node in self.graph.nodes.items() if node_type(node) in OUTPUT_TYPES]
        for nid in outputs:
            upstream = self.graph.ancestors(nid) & set(outputs)
            self._plans[nid] = _Plan(self._segments(nid), upstream)

    def node_started(self, node_id: str) -> None:
        """Activate the plans that ``node_id`` leads to unconditionally, then emit what is ready."""
        if not self.live or not self._plans:
            return
        reached = self.graph.unconditional_from(node_id)
        with self._lock:
            self._running.add(node_id)
            for nid in reached & self._plans.keys():
                self._plans[nid].active = True
            self._advance()

    def node_chunk(self, node_id: str, output: str, text: str) -> None:
        """Forward a streamed piece if an eligible plan is waiting on ``[node_id, output]``."""
        if not self.live:
            return
        with self._lock:
            for nid, plan in self._plans.items():
                if self._eligible(plan) and self._current_ref(plan) == [node_id, output]:
                    plan.streamed += text
                    self.emit_text(text, [node_id, output])
                    return

    def node_finished(self, node_id: str) -> None:
        """``node_id`` has outputs in the pool; an output node flushes its whole plan."""
        with self._lock:
            self._running.discard(node_id)
            plan = self._plans.get(node_id)
            if plan is not None:
                self._flush(node_id, plan, final=True)
                plan.done = True
            self._settled.add(node_id)
            if self.live:
                self._advance()

    def node_skipped(self, node_id: str) -> None:
        """``node_id`` will not run on this path (its plan, if any, is dropped)."""
        with self._lock:
            if node_id in self._plans:
                self._plans[node_id].done = True
            self._settled.add(node_id)
            if self.live:
                self._advance()

    def _segments(self, node_id: str) -> list:
        node = self.graph.nodes[node_id]
        if node_type(node) == "answer":
            return template_segments(node["data"].get("answer"))
        refs = [o.get("value_selector") or [] for o in node["data"].get("outputs") or []]
        return [("ref", [str(p) for p in sel]) for sel in refs if self._is_llm_text(sel)]

    def _is_llm_text(self, selector: list) -> bool:
        node = self.graph.nodes.get(str(selector[0])) if len(selector) == 2 else None
        return node is not None and node_type(node) == "llm" and selector[1] == "text"

    def _eligible(self, plan: _Plan) -> bool:
        return plan.active and not plan.done and plan.upstream <= self._settled

    @staticmethod
    def _current_ref(plan: _Plan) -> list | None:
        if plan.cursor >= len(plan.segments):
            return None
        kind, value = plan.segments[plan.cursor]
        return value if kind == "ref" else None

    def _advance(self) -> None:
        for nid, plan in self._plans.items():
            if self._eligible(plan):
                self._flush(nid, plan, final=False)

    def _flush(self, node_id: str, plan: _Plan, final: bool) -> None:
        while plan.cursor < len(plan.segments):
            kind, value = plan.segments[plan.cursor]
            if kind == "text":
                self._emit(value, [node_id, "answer"])
            elif final or self._resolvable(value):
                text = to_text(self.pool.get(value))
                self._emit(text[len(plan.streamed):] if text.startswith(plan.streamed) else "", value)
            else:
                return
            plan.cursor += 1
            plan.streamed = ""

    def _resolvable(self, selector: list) -> bool:
        head = selector[0]
        if head in (SYSTEM, ENV, CONVERSATION):
            return False  # may still change (assigners); rendered when the output node runs
        return head in self._settled or head not in self.graph.nodes

    def _emit(self, text: str, selector: list) -> None:
        if text:
            self.emit_text(text, list(selector))
