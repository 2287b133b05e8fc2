"""iteration: runs the body sub-graph once per item (sequentially or in parallel) and collects outputs."""
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from core.workflow.errors import NodeError, RunAborted
from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.state import CancelScope

TERMINATED, CONTINUE, REMOVE = "terminated", "continue-on-error", "remove-abnormal-output"


@dataclass
class _Round:
    index: int
    value: Any = None
    error: NodeError | None = None
    aborted: RunAborted | None = None


def run(node: NodeRun) -> NodeResult:
    """Outputs ``output``: the ``output_selector`` value of each round. Emits iteration_* events.

    ``error_handle_mode``: terminated (first failure fails the node), continue-on-error (None in
    its place) or remove-abnormal-output (dropped).
    """
    items = _items(node)
    started, tokens_before = time.monotonic(), node.state.total_tokens
    base = {"id": node.execution_id, "node_id": node.node_id, "node_type": "iteration", "title": node.title}
    inputs = {"iterator_selector": items}
    node.emit("iteration_started", {**base, "created_at": int(time.time()), "extras": {}, "inputs": inputs,
                                    "inputs_truncated": False, "metadata": {"iterator_length": len(items)}})
    rounds = _run_rounds(node, items, base)
    output, error = _collect(node, rounds)
    node.emit("iteration_completed", {
        **base, "outputs": {"output": output}, "outputs_truncated": False, "created_at": int(time.time()),
        "extras": {}, "inputs": inputs, "inputs_truncated": False, "status": "failed" if error else "succeeded",
        "error": error.message if error else None, "elapsed_time": round(time.monotonic() - started, 6),
        "total_tokens": node.state.total_tokens - tokens_before, "execution_metadata": {},
        "finished_at": int(time.time()), "steps": len(items)})
    if error is not None:
        raise error
    return NodeResult(outputs={"output": output}, inputs=inputs)


def _items(node: NodeRun) -> list:
    items = node.get(node.data.get("iterator_selector"))
    if items is None:
        return []
    if not isinstance(items, (list, tuple)):
        raise NodeError(f"Invalid iterator value: {items!r:.100}, please provide a list.", "InvalidIteratorValue")
    if len(items) > node.limits.max_iteration_items:
        raise NodeError(f"Too many items to iterate ({len(items)} > {node.limits.max_iteration_items})",
                        "IteratorTooLong")
    return list(items)


def _run_rounds(node: NodeRun, items: list, base: dict) -> list[_Round]:
    scope = node.scope.child()
    if not node.data.get("is_parallel") or len(items) < 2:
        rounds = []
        for index, item in enumerate(items):
            rounds.append(_run_round(node, index, item, scope, base, streaming=True))
            if rounds[-1].aborted or (rounds[-1].error and _mode(node) == TERMINATED):
                break
        return rounds
    workers = max(1, min(int(node.data.get("parallel_nums") or 10), node.limits.max_parallel, len(items)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="iteration") as executor:
        futures = [executor.submit(_run_round, node, index, item, scope, base, False)
                   for index, item in enumerate(items)]
        return [future.result() for future in futures]


def _run_round(node: NodeRun, index: int, item: Any, scope: CancelScope, base: dict, streaming: bool) -> _Round:
    """One round in its own scope; a failure cancels the other rounds when the mode is ``terminated``."""
    if scope.cancelled_reason() is not None:
        return _Round(index, aborted=RunAborted(scope.cancelled_reason()))
    node.emit("iteration_next", {**base, "index": index, "created_at": int(time.time()), "extras": {}})
    try:
        pool = node.run_round(index, item, scope.child(), streaming)
    except NodeError as error:
        if _mode(node) == TERMINATED:
            scope.cancel(error.message)
        return _Round(index, error=error)
    except RunAborted as aborted:
        return _Round(index, aborted=aborted)
    return _Round(index, value=pool.get(node.data.get("output_selector")))


def _collect(node: NodeRun, rounds: list[_Round]) -> tuple[list, NodeError | None]:
    """(outputs, error): RunAborted is raised when the run itself was stopped or cancelled."""
    node.checkpoint()
    mode, output = _mode(node), []
    for result in rounds:
        if result.error is not None and mode == TERMINATED:
            return output, result.error
        if result.error is None and result.aborted is None:
            output.append(result.value)
        elif mode == CONTINUE:
            output.append(None)
    if node.data.get("flatten_output", True) and output and all(isinstance(v, list) for v in output):
        output = [value for values in output for value in values]
    return output, None


def _mode(node: NodeRun) -> str:
    return node.data.get("error_handle_mode") or TERMINATED
