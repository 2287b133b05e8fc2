"""The web side of workflow and chatflow runs: validate, create rows, enqueue, follow, stop, resume."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import redis
from flask import Flask, current_app
from rq import Queue

from api.extensions import db
from core.task_channel import TERMINAL_EVENTS, WORKFLOW_TERMINAL_EVENTS, replay
from jobs.workflow import run_workflow
from models import App, Conversation, EndUser, Message, WorkflowRun
from services.conversation_service import get_conversation
from services.errors import AppUnavailable, InvalidParam, NotWorkflowApp, RunFailed
from services.generation import rate_limit, task_registry
from services.generation.service import RunRequest, short_name, validated_inputs
from services.generation.stream_service import blocking_answer, require_replayable
from services.workflow import liveness, persist
from services.workflow.events import WorkflowEnvelope, envelope_for
from services.workflow.executor import publish_failure

WORKER_LOST = "The worker running this workflow stopped unexpectedly."
Item = tuple[int, dict[str, Any]] | None


@dataclass(frozen=True)
class Started:
    task_id: str
    run_id: str
    envelope: WorkflowEnvelope


def start_workflow(app: App, end_user: EndUser, inputs: dict[str, Any], config: Mapping[str, Any],
                   client: redis.Redis, queue: Queue) -> Started:
    """Validate and enqueue a workflow app run. Raises NotWorkflowApp, AppUnavailable, InvalidParam."""
    if app.mode != "workflow":
        raise NotWorkflowApp()
    cleaned = _validated_inputs(app, inputs)
    return _enqueue(app, end_user, cleaned, None, None, config, client, queue)


def start_chatflow(app: App, end_user: EndUser, req: RunRequest, config: Mapping[str, Any], client: redis.Redis,
                   queue: Queue) -> Started:
    """Validate and enqueue an advanced-chat turn: conversation (new or owned), message, run."""
    query = req.query.replace("\x00", "").strip()
    if not query:
        raise InvalidParam("query is required")
    conversation = get_conversation(app.id, end_user.id, req.conversation_id) if req.conversation_id else None
    inputs = conversation.inputs if conversation else _validated_inputs(app, req.inputs)
    if conversation is None:
        conversation = Conversation(app_id=app.id, from_end_user_id=end_user.id, mode=app.mode,
                                    name=short_name(query), inputs=inputs)
        db.session.add(conversation)
        db.session.flush()
    message = Message(app_id=app.id, conversation_id=conversation.id, from_end_user_id=end_user.id,
                      parent_message_id=req.parent_message_id, mode=app.mode, inputs=inputs, query=query,
                      status="running")
    db.session.add(message)
    db.session.flush()
    return _enqueue(app, end_user, inputs, conversation.id, message, config, client, queue)


def _validated_inputs(app: App, inputs: dict[str, Any]) -> dict[str, Any]:
    if not (app.workflow and (app.workflow.get("graph") or {}).get("nodes")):
        raise AppUnavailable()
    return validated_inputs(app, inputs)


def _enqueue(app, end_user, inputs, conversation_id, message, config, client, queue) -> Started:
    task_id = str(uuid.uuid4())
    limit = rate_limit.effective_limit(app.max_active_requests, config["APP_MAX_ACTIVE_REQUESTS"])
    try:
        rate_limit.enter(client, app.id, task_id, limit)
        run = WorkflowRun(app_id=app.id, task_id=task_id, created_by=end_user.id, conversation_id=conversation_id,
                          message_id=message.id if message else None, inputs=inputs, status="running",
                          workflow_version=app.config_version)
        db.session.add(run)
        if message is not None:
            message.task_id, message.workflow_run_id = task_id, run.id
        db.session.commit()
    except Exception:
        db.session.rollback()
        rate_limit.leave(client, app.id, task_id)
        raise
    task_registry.register(client, task_id, end_user.id)
    timeout = int(config["APP_MAX_EXECUTION_TIME"]) + 60
    queue.enqueue_call(run_workflow, args=(run.id,), job_id=run.id, timeout=timeout, result_ttl=600,
                       failure_ttl=24 * 3600)
    return Started(task_id, run.id, envelope_for(run, app))


def follow(client: redis.Redis, task_id: str, after_seq: int, ping_interval: float, retention: int,
           chat: bool = False) -> Iterator[Item]:
    """A run's events from the log after `after_seq`, live until it ends; pings on silence.

    A run whose worker died is failed here (by exactly one process) so no stream hangs. Call it
    inside an app context; the returned generator carries the app along for that.
    """
    terminal = TERMINAL_EVENTS if chat else WORKFLOW_TERMINAL_EVENTS
    return _follow(current_app._get_current_object(), client, task_id, after_seq, ping_interval, retention,
                   terminal)


def _follow(flask_app: Flask, client: redis.Redis, task_id: str, after_seq: int, ping_interval: float,
            retention: int, terminal: frozenset[str]) -> Iterator[Item]:
    deadline = time.monotonic() + retention
    block_ms = int(min(ping_interval, 1.0) * 1000)
    quiet_since = time.monotonic()
    for item in replay(client, task_id, after_seq, block_ms, deadline, terminal):
        if item is not None:
            quiet_since = time.monotonic()
            yield item
            continue
        if liveness.is_dead(client, task_id):
            with flask_app.app_context():
                reap(client, task_id)
        if time.monotonic() - quiet_since >= ping_interval:
            quiet_since = time.monotonic()
            yield None


def reap(client: redis.Redis, task_id: str) -> None:
    """Record the failure of a run whose worker is gone, and end its event stream."""
    if not liveness.claim_reaping(client, task_id):
        return
    run = db.session.execute(db.select(WorkflowRun).filter_by(task_id=task_id)).scalar_one_or_none()
    failed = persist.mark_failed(run.id, WORKER_LOST) if run else None
    if failed is not None:
        publish_failure(client, failed, db.session.get(App, failed.app_id), WORKER_LOST)


def collect_blocking(events: Iterator[Item], envelope: WorkflowEnvelope) -> dict[str, Any]:
    """Wait for the run's end and return the blocking body (spec §4): a chatflow's is its message's."""
    if envelope.chat is not None:
        return blocking_answer(events, envelope.chat)
    for item in events:
        if item is not None and item[1]["event"] == "workflow_finished":
            return envelope.blocking(item[1])
    raise RunFailed("internal_server_error", "The workflow ended without a result.", 500)


def resume(client: redis.Redis, task_id: str, end_user_id: str, after_seq: int, ping_interval: float,
           retention: int, chat: bool = False) -> Iterator[Item]:
    """Follow the caller's run from `after_seq`. Raises NotFound for others' or expired runs."""
    require_replayable(client, task_id, end_user_id)
    return follow(client, task_id, after_seq, ping_interval, retention, chat)


def stop(client: redis.Redis, task_id: str, end_user_id: str) -> None:
    """Ask the worker to stop the caller's run (another user's run is left alone)."""
    task_registry.request_stop(client, task_id, end_user_id)
