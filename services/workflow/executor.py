"""The worker side of a workflow or chatflow run: execute the graph, stream events, store the outcome."""
from __future__ import annotations

import threading
from typing import Any, Mapping

import redis

from api.extensions import db
from core.task_channel import TaskChannel
from models import App, Conversation, EndUser, WorkflowRun, to_timestamp
from services import mcp_service
from services.generation import rate_limit, task_registry
from services.llm_settings import provider_settings
from services.workflow import code_sandbox, persist
from services.workflow.events import WorkflowEnvelope, envelope_for
from services.workflow.liveness import Heartbeat

FLUSH_EVERY = 0.05


def execute_run(run_id: str, client: redis.Redis, config: Mapping[str, Any]) -> None:
    """Run workflow run `run_id` to its end (idempotent: a finished run is left alone)."""
    run = db.session.get(WorkflowRun, run_id)
    if run is None or run.status != "running":
        return
    app = db.session.get(App, run.app_id)
    end_user = db.session.get(EndUser, run.created_by)
    channel = TaskChannel(client, run.task_id, int(config["STREAM_RETENTION_SECONDS"]))
    envelope = envelope_for(run, app)
    stop = threading.Event()
    try:
        with Heartbeat(client, run.task_id):
            flusher = threading.Thread(target=_flush_and_watch, args=(channel, client, run.task_id, stop),
                                       daemon=True)
            flusher.start()
            _execute(run, app, end_user, channel, envelope, stop, config)
    finally:
        stop.set()
        channel.flush(final=True)
        rate_limit.leave(client, run.app_id, run.task_id)
        task_registry.release(client, run.task_id)


def _flush_and_watch(channel: TaskChannel, client: redis.Redis, task_id: str, stop: threading.Event) -> None:
    ticks = 0
    while not stop.wait(FLUSH_EVERY):
        channel.flush()
        ticks += 1
        if ticks % 4 == 0 and task_registry.stop_requested(client, task_id):
            stop.set()


def _execute(run, app, end_user, channel, envelope, stop, config) -> None:
    # the engine (and its node types, code sandbox, ...) loads only in the worker process
    from core.workflow.context import RunContext
    from core.workflow.engine import run_graph

    created_at = to_timestamp(run.created_at)
    channel.publish(envelope.started(run.inputs, created_at))
    conversation = db.session.get(Conversation, run.conversation_id) if run.conversation_id else None
    mcp_servers = mcp_service.servers(app)  # plain dicts: node threads never touch the ORM instance
    ctx = RunContext(emit=lambda name, data: channel.publish(envelope.engine_event(name, data)),
                     llm_settings_for=lambda data: _llm_settings(app, config, data),
                     should_stop=stop.is_set,
                     call_tool=lambda provider, tool, args: mcp_service.call_tool(mcp_servers, config, provider,
                                                                                  tool, args),
                     http_allow_private=bool(config["WORKFLOW_HTTP_ALLOW_PRIVATE"]),
                     code_enabled=bool(config["WORKFLOW_CODE_ENABLED"]), code_sandbox=code_sandbox.settings(config),
                     limits=code_sandbox.limits(config), mode=app.mode,
                     conversation_variables=persist.conversation_variables(app, conversation),
                     environment_variables=persist.environment_variables(app))

    query = persist.message_query(run)
    result = run_graph(app.workflow["graph"], run.inputs, _system(run, end_user, conversation, query), ctx)
    persist.store_result(run, result, conversation)
    created_by = {"id": end_user.id, "user": end_user.session_id}
    channel.publish(envelope.finished(result, created_by, created_at))
    if envelope.chat is not None:
        _end_chat(channel, envelope, result)


def publish_failure(client: redis.Redis, run: WorkflowRun, app: App, error: str, retention: int = 600) -> None:
    """End a run's event stream with a failed workflow_finished (and the chatflow's error event)."""
    channel = TaskChannel(client, run.task_id, retention)
    channel.resume_numbering()
    envelope = envelope_for(run, app)
    result = FailedResult(error)
    channel.publish(envelope.finished(result, {"id": run.created_by, "user": ""}, to_timestamp(run.created_at)))
    if envelope.chat is not None:
        _end_chat(channel, envelope, result)
    channel.flush(final=True)


class FailedResult:
    """A run that ended without the engine's result (its worker died)."""

    def __init__(self, error: str):
        self.status, self.error, self.outputs = "failed", error, None
        self.elapsed_time, self.total_tokens, self.total_steps, self.exceptions_count = 0.0, 0, 0, 0


def _end_chat(channel: TaskChannel, envelope: WorkflowEnvelope, result: Any) -> None:
    chat = envelope.chat
    if result.status == "failed":
        channel.publish(chat.error("invalid_param", f"Run failed: {result.error}", 400))
        return
    usage = {"total_tokens": result.total_tokens}
    channel.publish(chat.message_end({"annotation_reply": None, "retriever_resources": [], "usage": usage}))


def _llm_settings(app: App, config: Mapping[str, Any], node_data: dict) -> Any:
    params = ((node_data or {}).get("model") or {}).get("completion_params") or {}
    allowed = {k: v for k, v in params.items() if k in ("temperature", "top_p", "max_tokens")}
    return provider_settings(app, config, **allowed)


def _system(run: WorkflowRun, end_user: EndUser, conversation: Conversation | None, query: str) -> dict[str, Any]:
    return {"query": query, "files": [], "user_id": end_user.session_id, "app_id": run.app_id,
            "workflow_id": run.app_id, "workflow_run_id": run.id,
            "conversation_id": conversation.id if conversation else None,
            "dialogue_count": (conversation.dialogue_count if conversation else 0) + 1}
