"""The worker side of a workflow or chatflow run: execute the graph, stream events, store the outcome."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Mapping

import redis

from api.extensions import db
from core.task_channel import TaskChannel
from models import App, Conversation, EndUser, WorkflowRun, to_timestamp
from services import mcp_service
from services.generation import rate_limit, task_registry
from services.llm_settings import provider_settings
from services.workflow import code_sandbox, persist, spend
from services.workflow.events import WorkflowEnvelope, envelope_for
from services.workflow.liveness import Heartbeat

log = logging.getLogger(__name__)

FLUSH_EVERY = 0.05
FINAL_FLUSH_SECONDS = 10.0


def execute_run(run_id: str, client: redis.Redis, config: Mapping[str, Any]) -> None:
    """Run workflow run `run_id` to its end (idempotent: a finished run is left alone).

    Any exception before, in or around the engine fails the run (with its terminal events) and is
    re-raised, so RQ records the job as failed too.
    """
    run = persist.retrying(lambda: db.session.get(WorkflowRun, run_id))
    if run is None or run.status != "running":
        return
    try:
        _run_tracked(run, client, config)
    except Exception as exc:
        log.exception("workflow run %s failed in its job", run_id)
        db.session.rollback()
        _fail_quietly(client, run_id, f"The workflow job failed: {type(exc).__name__}: {exc}", config)
        raise


def preload() -> None:
    """Import the engine and compile the run's lookups now, so neither the first job nor any forked work
    horse pays for them. Call inside an app context, before the worker takes jobs."""
    import core.workflow.context  # noqa: F401 - imported for its side effect: loaded once, here
    import core.workflow.engine  # noqa: F401

    nobody = "00000000-0000-0000-0000-000000000000"
    for model in (WorkflowRun, App, EndUser, Conversation):
        db.session.get(model, nobody)
    db.session.remove()


def _fail_quietly(client: redis.Redis, run_id: str, error: str, config: Mapping[str, Any]) -> None:
    try:
        fail_run(client, run_id, error, int(config["STREAM_RETENTION_SECONDS"]))
    except Exception:  # the database or Redis is away too: the sweeper fails the run later
        log.exception("could not record the failure of workflow run %s", run_id)


def _run_tracked(run: WorkflowRun, client: redis.Redis, config: Mapping[str, Any]) -> None:
    app = db.session.get(App, run.app_id)
    channel = TaskChannel(client, run.task_id, int(config["STREAM_RETENTION_SECONDS"]))
    envelope = envelope_for(run, app)
    stop = threading.Event()
    try:
        with Heartbeat(client, run.task_id):
            flusher = threading.Thread(target=_flush_and_watch, args=(channel, client, run.task_id, stop),
                                       daemon=True)
            flusher.start()
            _execute(run, app, channel, envelope, stop, config)
    finally:
        stop.set()
        _final_flush(channel)
        _quietly(rate_limit.leave, client, run.app_id, run.task_id)
        _quietly(task_registry.release, client, run.task_id)


def _flush_and_watch(channel: TaskChannel, client: redis.Redis, task_id: str, stop: threading.Event) -> None:
    ticks = 0
    while not stop.wait(FLUSH_EVERY):
        ticks += 1
        try:
            channel.flush()
            if ticks % 4 == 0 and task_registry.stop_requested(client, task_id):
                stop.set()
        except redis.RedisError as exc:  # Redis restarting: the batch stays pending for the next flush
            if ticks % 20 == 0:
                log.warning("events of %s not flushed yet: %s", task_id, exc)


def _final_flush(channel: TaskChannel) -> None:
    """Write the last events, retrying through a Redis restart for up to ~FINAL_FLUSH_SECONDS.

    When Redis stays away the outcome is still in the database, where followers and resumes read it.
    """
    deadline = time.monotonic() + FINAL_FLUSH_SECONDS
    while True:
        try:
            channel.flush(final=True)
            return
        except redis.RedisError as exc:
            if time.monotonic() > deadline:
                log.warning("last events of %s lost: %s", channel.task_id, exc)
                return
            time.sleep(0.25)


def _quietly(action: Callable[..., Any], *args: Any) -> None:
    try:
        action(*args)
    except redis.RedisError as exc:
        log.warning("%s skipped: %s", action.__name__, exc)


def _execute(run, app, channel, envelope, stop, config) -> None:
    # the engine (and its node types, code sandbox, ...) loads only in the worker process
    from core.workflow.context import RunContext
    from core.workflow.engine import run_graph

    created_at = to_timestamp(run.created_at)
    channel.publish(envelope.started(run.inputs, created_at))
    _quietly(channel.flush)  # now, not at the flusher's next tick: followers wait for this event
    end_user = db.session.get(EndUser, run.created_by)
    conversation = db.session.get(Conversation, run.conversation_id) if run.conversation_id else None
    mcp_servers = mcp_service.servers(app)  # plain dicts: node threads never touch the ORM instance
    tally = spend.Tally(channel, int(config["STREAM_RETENTION_SECONDS"]))
    ctx = RunContext(emit=lambda name, data: _emit(channel, envelope, tally, name, data),
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
    created_by = {"id": end_user.id, "user": end_user.session_id}
    persist.store_result(run.id, result, conversation.id if conversation else None)
    for event in envelope.terminal(result, created_by, created_at):
        channel.publish(event)


def _emit(channel: TaskChannel, envelope: WorkflowEnvelope, tally: spend.Tally, name: str, data: dict) -> None:
    if name == "node_finished":  # what a run failed without this worker reports (spend.py)
        _quietly(tally.add, data)
    channel.publish(envelope.engine_event(name, data))


def fail_run(client: redis.Redis, run_id: str, error: str, retention: int) -> bool:
    """Fail the run when it is still running and end its event stream. True when this call did it.

    The failed run (row and workflow_finished) reports the time and tokens spent until now.
    """
    run = persist.mark_failed(run_id, error, lambda lost: spend.spent(client, lost))
    if run is None:
        return False
    log.warning("workflow run %s failed: %s", run_id, error)
    publish_failure(client, run, db.session.get(App, run.app_id), error, retention)
    return True


def publish_failure(client: redis.Redis, run: WorkflowRun, app: App, error: str, retention: int = 600) -> None:
    """End a run's event stream with a failed workflow_finished (and the chatflow's error event)."""
    channel = TaskChannel(client, run.task_id, retention)
    channel.resume_numbering()
    envelope = envelope_for(run, app)
    for event in envelope.terminal(FailedResult(error, run), created_by(run), to_timestamp(run.created_at)):
        channel.publish(event)
    channel.flush(final=True)


def created_by(run: WorkflowRun) -> dict[str, str]:
    """`created_by` of a run's workflow_finished: the end user's id and session id."""
    end_user = db.session.get(EndUser, run.created_by)
    return {"id": run.created_by, "user": end_user.session_id if end_user else ""}


class FailedResult:
    """A run that ended without the engine's result (its worker died, its job failed or was lost)."""

    def __init__(self, error: str, run: WorkflowRun | None = None):
        self.status, self.error, self.outputs, self.exceptions_count = "failed", error, None, 0
        self.elapsed_time = (run.elapsed_time or 0.0) if run is not None else 0.0
        self.total_tokens = (run.total_tokens or 0) if run is not None else 0
        self.total_steps = (run.total_steps or 0) if run is not None else 0


def _llm_settings(app: App, config: Mapping[str, Any], node_data: dict) -> Any:
    params = ((node_data or {}).get("model") or {}).get("completion_params") or {}
    allowed = {k: v for k, v in params.items() if k in ("temperature", "top_p", "max_tokens")}
    return provider_settings(app, config, **allowed)


def _system(run: WorkflowRun, end_user: EndUser, conversation: Conversation | None, query: str) -> dict[str, Any]:
    return {"query": query, "files": [], "user_id": end_user.session_id, "app_id": run.app_id,
            "workflow_id": run.app_id, "workflow_run_id": run.id,
            "conversation_id": conversation.id if conversation else None,
            "dialogue_count": (conversation.dialogue_count if conversation else 0) + 1}
