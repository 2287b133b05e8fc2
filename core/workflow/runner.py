"""The scheduler: walks one graph scope, running ready nodes concurrently in a thread pool.

Edges are *taken* (the source ran and chose their handle) or *skipped*. A node starts once none of
its incoming edges is pending and at least one was taken; when all were skipped it is skipped too,
and so are its outgoing edges (so joins never wait for branches an if-else did not choose).
"""
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from core.workflow.errors import NodeError, RunAborted, WorkflowError
from core.workflow.execution import EXCEPTION, FAILED, SUCCEEDED, execute_node
from core.workflow.graph import Graph, node_type
from core.workflow.node_api import NodeRun, Placement
from core.workflow.state import CancelScope, RunState
from core.workflow.streaming import StreamCoordinator
from core.workflow.variables import VariablePool

TAKEN, SKIPPED = "taken", "skipped"
_POLL_SECONDS = 0.05


class GraphRunner:
    """Runs ``graph`` once. After :meth:`run`, ``error`` is set if a node failed the scope."""

    def __init__(self, graph: Graph, state: RunState, pool: VariablePool, scope: CancelScope,
                 placement: Placement | None = None):
        self.graph = graph
        self.state = state
        self.pool = pool
        self.scope = scope
        self.placement = placement or Placement()
        self.coordinator = StreamCoordinator(graph, pool, self._emit_text, live=self.placement.streaming)
        self.error: str | None = None
        self.error_type: str | None = None
        self.end_outputs: dict = {}
        self._edges: dict = {}
        self._status: dict = {}
        self._futures: dict = {}
        self._executor: ThreadPoolExecutor | None = None

    def run(self) -> None:
        """Run from the root until nothing is left to run (or the scope is cancelled/failed)."""
        workers = max(1, self.state.limits.max_parallel)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="workflow") as executor:
            self._executor = executor
            try:
                self._start(self.graph.root_id, None)
                while self._futures:
                    done, _ = wait(list(self._futures), timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                    for future in done:
                        self._settle(future)
                    self._watch()
            except BaseException:
                self.scope.cancel("Internal error")
                raise

    def node_run(self, node: dict, execution_id: str) -> NodeRun:
        """The NodeRun handed to ``node``'s executor."""
        return NodeRun(node, self.state, self.pool, self.scope, execution_id=execution_id,
                       placement=self.placement, stream=self.coordinator.node_chunk, run_round=self._run_round)

    def _run_round(self, run: NodeRun, index: int, item: Any, scope: CancelScope, streaming: bool) -> VariablePool:
        """One round of iteration ``run``: its body on a child pool holding ``item`` and ``index``."""
        pool = run.pool.child()
        pool.set_outputs(run.node_id, {"item": item, "index": index})
        body = self.graph.subgraph(run.node_id)
        placement = Placement(run.node_id, index, streaming and self.placement.streaming)
        child = GraphRunner(body, self.state, pool, scope, placement)
        child.run()
        if child.error is not None:
            raise NodeError(child.error, child.error_type or "IterationRoundError")
        reason = scope.cancelled_reason()
        if reason is not None:
            raise RunAborted(reason)
        return pool

    def _start(self, node_id: str, predecessor_id: str | None) -> None:
        if self.scope.cancelled_reason() is not None or self.state.poll_stop(force=True):
            self._status[node_id] = "not-run"
            return
        self._status[node_id] = "running"
        node = self.graph.nodes[node_id]
        future = self._executor.submit(execute_node, self, node, predecessor_id)
        self._futures[future] = node_id

    def _settle(self, future: Future) -> None:
        node_id = self._futures.pop(future)
        try:
            outcome = future.result()
        except WorkflowError as error:
            self._fail(str(error), "WorkflowError")
            return
        self._status[node_id] = outcome.status
        if outcome.status in (SUCCEEDED, EXCEPTION):
            if node_type(self.graph.nodes[node_id]) == "end":
                self.end_outputs.update(outcome.outputs)
            self._resolve_edges(node_id, outcome.handle)
        elif outcome.status == FAILED:
            self._fail(outcome.error, outcome.error_type)

    def _watch(self) -> None:
        self.state.poll_stop()
        try:
            self.state.check_time()
        except WorkflowError as error:
            self._fail(str(error), "WorkflowError")

    def _fail(self, error: str | None, error_type: str | None) -> None:
        if self.error is None:
            self.error, self.error_type = error or "Node run failed", error_type
            self.scope.cancel(self.error)

    def _resolve_edges(self, node_id: str, handle: str | None) -> None:
        edges = self.graph.outgoing.get(node_id, [])
        for edge in edges:
            self._edges[edge] = TAKEN if edge.handle == handle else SKIPPED
        for target in dict.fromkeys(edge.target for edge in edges):
            self._consider(target, node_id)

    def _consider(self, node_id: str, predecessor_id: str) -> None:
        if node_id in self._status:
            return
        states = [self._edges.get(edge) for edge in self.graph.incoming.get(node_id, [])]
        if None in states:
            return
        if TAKEN in states:
            self._start(node_id, predecessor_id)
        else:
            self._skip(node_id)

    def _skip(self, node_id: str) -> None:
        self._status[node_id] = SKIPPED
        self.coordinator.node_skipped(node_id)
        edges = self.graph.outgoing.get(node_id, [])
        for edge in edges:
            self._edges[edge] = SKIPPED
        for target in dict.fromkeys(edge.target for edge in edges):
            self._consider(target, node_id)

    def _emit_text(self, text: str, selector: list) -> None:
        self.state.emit("text_chunk", {"text": text, "from_variable_selector": selector})
