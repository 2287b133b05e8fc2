"""Entry point: run a Dify DSL ``workflow.graph`` and report the outcome.

No Flask, database or queue here: callers inject collaborators through :class:`RunContext` and turn
the events (``ctx.emit``) and the returned :class:`RunResult` into SSE frames and rows.
"""
import time

from core.workflow.context import STOPPED_BY_USER, RunContext, RunResult
from core.workflow.errors import WorkflowError
from core.workflow.graph import Graph
from core.workflow.runner import GraphRunner
from core.workflow.state import RunState
from core.workflow.variables import ConversationStore, VariablePool


def run_graph(graph: dict, inputs: dict, system: dict, ctx: RunContext) -> RunResult:
    """Run ``graph`` (nodes + edges) with start ``inputs`` and ``system`` variables (``query``, ``user_id``...).

    Emits node_started, node_finished, node_retry, text_chunk and iteration_* events through
    ``ctx.emit`` (workflow_started/finished are the caller's). Node failures end up in the result,
    never as exceptions.
    """
    state = RunState(ctx)
    state.inputs = dict(inputs or {})
    conversation = ConversationStore(ctx.conversation_variables)
    pool = VariablePool(system, ctx.environment_variables, conversation)
    try:
        runner = GraphRunner(Graph.from_dsl(graph), state, pool, state.scope)
    except WorkflowError as error:
        return _result(state, conversation, "failed", {}, str(error))
    runner.run()
    if state.stopped_by_user:
        return _result(state, conversation, "stopped", runner.end_outputs, STOPPED_BY_USER)
    if runner.error is not None:
        return _result(state, conversation, "failed", runner.end_outputs, runner.error)
    status = "partial-succeeded" if state.exceptions else "succeeded"
    return _result(state, conversation, status, _outputs(runner, state), None)


def _outputs(runner: GraphRunner, state: RunState) -> dict:
    if runner.end_outputs or state.ctx.mode != "advanced-chat":
        return dict(runner.end_outputs)
    return {"answer": "".join(state.text_chunks)}


def _result(state: RunState, conversation: ConversationStore, status: str, outputs: dict,
            error: str | None) -> RunResult:
    return RunResult(
        status=status,
        outputs=outputs,
        error=error,
        total_tokens=state.total_tokens,
        total_steps=state.steps,
        exceptions_count=state.exceptions,
        elapsed_time=round(time.monotonic() - state.started, 6),
        node_executions=sorted(state.node_executions, key=lambda e: e["index"]),
        conversation_variables=conversation.snapshot(),
        answer="".join(state.text_chunks),
    )
