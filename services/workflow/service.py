"""The web side of workflow and chatflow runs: validate, create rows, enqueue, follow, stop, resume."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import redis
from flask import current_app
from rq import Queue

from api.extensions import db
from core.task_channel import has_events
from jobs.workflow import run_workflow
from models import App, Conversation, EndUser, Message, WorkflowRun
from services.conversation_service import get_conversation
from services.errors import AppUnavailable, NotFound, NotWorkflowApp, RunFailed
from services.generation import rate_limit, task_registry
from services.generation.service import RunRequest, clean_query, short_name, validated_inputs
from services.generation.stream_service import blocking_answer
from services.workflow.events import WorkflowEnvelope, envelope_for
from services.workflow.follower import Follower, Watch, outcome_events

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
    cleaned = _validated_inputs(app, inputs, config)
    return _enqueue(app, end_user, cleaned, None, None, config, client, queue)


def start_chatflow(app: App, end_user: EndUser, req: RunRequest, config: Mapping[str, Any], client: redis.Redis,
                   queue: Queue) -> Started:
    """Validate and enqueue an advanced-chat turn: conversation (new or owned), message, run."""
    query = clean_query(req.query, config["QUERY_MAX_LENGTH"], required=True)
    conversation = get_conversation(app.id, end_user.id, req.conversation_id) if req.conversation_id else None
    inputs = conversation.inputs if conversation else _validated_inputs(app, req.inputs, config)
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


def _validated_inputs(app: App, inputs: dict[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    if not (app.workflow and (app.workflow.get("graph") or {}).get("nodes")):
        raise AppUnavailable()
    return validated_inputs(app, inputs, config)


def _enqueue(app, end_user, inputs, conversation_id, message, config, client, queue) -> Started:
    task_id = str(uuid.uuid4())
    limit = rate_limit.effective_limit(app.max_active_requests, config["APP_MAX_ACTIVE_REQUESTS"])
    try:
        rate_limit.enter(client, app.id, task_id, limit)
        task_registry.register(client, task_id, end_user.id)  # Redis before the commit: a fault leaves no row
        run = WorkflowRun(app_id=app.id, task_id=task_id, created_by=end_user.id, conversation_id=conversation_id,
                          message_id=message.id if message else None, inputs=inputs, status="running",
                          workflow_version=app.config_version)
        db.session.add(run)
        if message is not None:
            message.task_id, message.workflow_run_id = task_id, run.id
        db.session.commit()
    except redis.RedisError:
        db.session.rollback()  # a second Redis call (leave) would only wait on Redis again
        raise
    except Exception:
        db.session.rollback()
        rate_limit.leave(client, app.id, task_id)
        raise
    timeout = int(config["APP_MAX_EXECUTION_TIME"]) + 60
    try:
        queue.enqueue_call(run_workflow, args=(run.id, task_id), job_id=run.id, timeout=timeout, result_ttl=600,
                           failure_ttl=24 * 3600)
    except redis.RedisError:
        _forget_unqueued(run.id)
        raise
    return Started(task_id, run.id, envelope_for(run, app))


def _forget_unqueued(run_id: str) -> None:
    """Delete the rows of a run that never reached the queue (and its conversation, when left empty)."""
    run = db.session.get(WorkflowRun, run_id)
    message = db.session.get(Message, run.message_id) if run.message_id else None
    conversation_id = run.conversation_id
    db.session.delete(run)
    if message is not None:
        db.session.delete(message)
    db.session.flush()
    if conversation_id and not db.session.scalar(db.select(Message.id).filter_by(conversation_id=conversation_id)
                                                 .limit(1)):
        db.session.delete(db.session.get(Conversation, conversation_id))
    db.session.commit()


def follow(client: redis.Redis, task_id: str, after_seq: int, ping_interval: float, retention: int,
           chat: bool = False) -> Iterator[Item]:
    """A run's events from the log after `after_seq`, live until it ends; pings on silence.

    The stream always ends with a terminal event: a lost run is failed here (by exactly one process), a
    run that ended while Redis lost its log is answered from the database, a queued run is announced
    with `workflow_queued`. Call it inside an app context; the generator carries the app along.
    """
    watch = Watch(task_id, after_seq, ping_interval, retention, chat)
    return Follower(current_app._get_current_object(), client, watch).events()


def collect_blocking(events: Iterator[Item], envelope: WorkflowEnvelope) -> dict[str, Any]:
    """Wait for the run's end and return the blocking body (spec §4): a chatflow's is its message's.

    Raises RunFailed (503) when the event log stayed unreachable."""
    if envelope.chat is not None:
        return blocking_answer(events, envelope.chat)
    for item in events:
        if item is not None and item[1]["event"] == "workflow_finished":
            return envelope.blocking(item[1])
        if item is not None and item[1]["event"] == "error":
            raise RunFailed(item[1]["code"], item[1]["message"], 503)
    raise RunFailed("internal_server_error", "The workflow ended without a result.", 500)


def resume(client: redis.Redis, task_id: str, end_user_id: str, after_seq: int, ping_interval: float,
           retention: int, chat: bool = False) -> Iterator[Item]:
    """Follow the caller's run from `after_seq`; a run that ended and whose event log is gone (expired,
    Redis restarted) answers its terminal events from the database. Raises NotFound for others' runs.
    """
    run = db.session.execute(db.select(WorkflowRun).filter_by(task_id=task_id)).scalar()
    if run is None or run.created_by != end_user_id:
        raise NotFound("Task not found or its events have expired.")
    if run.status != "running" and not has_events(client, task_id):
        return iter(outcome_events(run, after_seq))
    return follow(client, task_id, after_seq, ping_interval, retention, chat)


def stop(client: redis.Redis, task_id: str, end_user_id: str) -> None:
    """Ask the worker to stop the caller's run (another user's run is left alone)."""
    task_registry.request_stop(client, task_id, end_user_id)
