"""Running one node: node_started/node_retry/node_finished events, retries, error strategies."""
import json
import time
import uuid
from dataclasses import dataclass, field

from core.text import clean_tree
from core.workflow.errors import NodeError, RunAborted
from core.workflow.graph import FAIL_BRANCH, node_title, node_type
from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.nodes import NODE_TYPES

SUCCEEDED, EXCEPTION, FAILED, STOPPED = "succeeded", "exception", "failed", "stopped"


@dataclass
class Outcome:
    """How a node run ended and which outgoing handle(s) to follow."""

    status: str
    handle: str | None = None
    error: str | None = None
    error_type: str | None = None
    outputs: dict = field(default_factory=dict)


def execute_node(runner, node: dict, predecessor_id: str | None) -> Outcome:
    """Run ``node`` inside ``runner`` (a GraphRunner): emit events, record it, update pool and streaming.

    Raises WorkflowError when the run's step budget is exhausted.
    """
    index = runner.state.next_index()
    run = runner.node_run(node, str(uuid.uuid4()))
    base = _base_event(run, index, predecessor_id)
    runner.state.emit("node_started", dict(base))
    runner.coordinator.node_started(run.node_id)
    started, started_at = time.monotonic(), time.time()
    result, failure = _run_with_retries(run, base, started)
    outcome, result = _apply_strategy(run, result, failure)
    if outcome.status in (SUCCEEDED, EXCEPTION):
        runner.pool.set_outputs(run.node_id, result.outputs)
        runner.coordinator.node_finished(run.node_id)
        runner.state.add_tokens(result.tokens)
    if outcome.status == EXCEPTION:
        runner.state.add_exception()
    finished = _finished_event(base, result, outcome, time.monotonic() - started)
    runner.state.record({**finished, "started_at": started_at, "finished_at": time.time(),
                         "error_type": outcome.error_type})
    runner.state.emit("node_finished", finished)
    return outcome


def _run_with_retries(run: NodeRun, base: dict, started: float) -> tuple:
    """(NodeResult, None) on success, else (None, exception). Retries NodeErrors per ``retry_config``."""
    retry = run.data.get("retry_config") or {}
    max_retries = int(retry.get("max_retries") or 0) if retry.get("retry_enabled") else 0
    attempt = 0
    while True:
        try:
            run.checkpoint()
            return _call(run), None
        except RunAborted as aborted:
            return None, aborted
        except NodeError as error:
            if attempt >= max_retries:
                return None, error
            attempt += 1
            retry_event = _finished_event(base, NodeResult(), Outcome("retry", error=error.message),
                                          time.monotonic() - started)
            run.emit("node_retry", {**retry_event, "retry_index": attempt})
        try:
            run.state.sleep(float(retry.get("retry_interval") or 0) / 1000.0, run.scope)
        except RunAborted as aborted:
            return None, aborted


def _call(run: NodeRun) -> NodeResult:
    executor = NODE_TYPES.get(run.type)
    if executor is None:
        raise NodeError(f"Unsupported node type '{run.type}'", "UnsupportedNodeType")
    try:
        return _cleaned(executor(run))
    except (NodeError, RunAborted):
        raise
    except Exception as exc:  # a bug or malformed node data: fail this node, not the worker
        raise NodeError(f"{type(exc).__name__}: {exc}", type(exc).__name__) from exc


def _cleaned(result: NodeResult) -> NodeResult:
    """The result with text the database can store (no NUL, no unpaired surrogates) in what is kept."""
    result.outputs, result.inputs = clean_tree(result.outputs), clean_tree(result.inputs)
    result.process_data = clean_tree(result.process_data)
    return result


def _apply_strategy(run: NodeRun, result: NodeResult | None, failure: Exception | None) -> tuple:
    """Turn a failure into an Outcome per ``error_strategy`` (fail-branch, default-value, none)."""
    if failure is None:
        return Outcome(SUCCEEDED, handle=result.handle, outputs=result.outputs), result
    if isinstance(failure, RunAborted):
        return Outcome(STOPPED, error=failure.reason, error_type="RunAborted"), NodeResult()
    error_info = {"error_message": failure.message, "error_type": failure.error_type}
    strategy = run.data.get("error_strategy")
    if strategy == FAIL_BRANCH:
        result = NodeResult(outputs=error_info, handle=FAIL_BRANCH)
    elif strategy == "default-value":
        result = NodeResult(outputs={**default_values(run.data.get("default_value")), **error_info})
    else:
        return Outcome(FAILED, error=failure.message, error_type=failure.error_type), NodeResult()
    return Outcome(EXCEPTION, result.handle, failure.message, failure.error_type, result.outputs), result


def default_values(items: list | None) -> dict:
    """``data.default_value`` entries ({key, type, value}) as outputs, values converted to their type."""
    values = {}
    for item in items or []:
        if isinstance(item, dict) and item.get("key"):
            values[str(item["key"])] = _typed(item.get("type"), item.get("value"))
    return values


def _typed(value_type: str | None, value):
    if not isinstance(value, str):
        return value
    try:
        if value_type == "number":
            return float(value) if "." in value else int(value)
        if value_type and (value_type == "object" or value_type.startswith("array")):
            return json.loads(value)
    except ValueError:
        return value
    return value


def _base_event(run: NodeRun, index: int, predecessor_id: str | None) -> dict:
    return {
        "id": run.execution_id,
        "node_id": run.node_id,
        "node_type": node_type(run.node),
        "title": node_title(run.node),
        "index": index,
        "predecessor_node_id": predecessor_id,
        "inputs": None,
        "created_at": int(time.time()),
        "extras": {} if run.placement.iteration_index is None else {"iteration_index": run.placement.iteration_index},
        "iteration_id": run.placement.iteration_id,
        "loop_id": None,
    }


def _finished_event(base: dict, result: NodeResult, outcome: Outcome, elapsed: float) -> dict:
    placement = {"iteration_id": base["iteration_id"], "iteration_index": base["extras"].get("iteration_index")}
    return {
        **base,
        "inputs": result.inputs,
        "process_data": result.process_data,
        "outputs": result.outputs,
        "status": outcome.status,
        "error": outcome.error,
        "elapsed_time": round(elapsed, 6),
        "execution_metadata": {"total_tokens": result.tokens, **placement},
        "finished_at": int(time.time()),
        "files": [],
    }
