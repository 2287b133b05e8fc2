"""Completion and chat runs: validate, create the rows, launch, stop, resume (spec §2.1, §5)."""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping

import redis
from flask import Flask

from api.extensions import db
from core.app_features import InputError, input_variables, validate_inputs
from core.task_channel import TaskChannel
from models import App, Conversation, EndUser, Message, to_timestamp
from services import mcp_service, message_service
from services.conversation_service import get_conversation
from services.errors import AppMoreLikeThisDisabled, InvalidParam, NotChatApp, NotCompletionApp
from services.generation import agent, cache, live_runs, prompt, rate_limit, task_registry
from services.generation.events import Envelope
from services.generation.run import GenerationRun, RunLimits, RunSpec, supervise
from services.llm_settings import provider_settings

MEMORY_TOKEN_BUDGET = 2000
NAME_LENGTH = 20


@dataclass
class RunRequest:
    """What the end user asked for."""

    inputs: dict[str, Any]
    query: str = ""
    conversation_id: str | None = None
    parent_message_id: str | None = None
    files: list[Any] = field(default_factory=list)


def prepare_completion(app: App, end_user: EndUser, req: RunRequest, config: Mapping[str, Any],
                       client: redis.Redis) -> RunSpec:
    """Validate a completion request, take a concurrency slot and create the message row."""
    if app.mode != "completion":
        raise NotCompletionApp()
    inputs = validated_inputs(app, req.inputs, config)
    req.query = clean_query(req.query, config["QUERY_MAX_LENGTH"], required=False)
    model_config = app.model_config or {}
    messages = prompt.completion_messages(model_config.get("pre_prompt", ""), inputs, req.query)
    key = None
    if (app.settings or {}).get("completion_cache", {}).get("enabled"):
        key = cache.cache_key(app.id, app.config_version, inputs, req.query, req.files)
    return _create_run(app, end_user, req, config, client, inputs, messages, None, key)


def prepare_more_like_this(app: App, end_user: EndUser, message_id: str, config: Mapping[str, Any],
                           client: redis.Redis) -> RunSpec:
    """A new completion from a message's stored inputs and query, bypassing the cache (spec §2.1).

    Raises NotCompletionApp, MessageNotExists, AppMoreLikeThisDisabled.
    """
    if app.mode != "completion":
        raise NotCompletionApp()
    original = message_service.get_message(app.id, end_user.id, message_id)
    if not ((app.model_config or {}).get("more_like_this") or {}).get("enabled"):
        raise AppMoreLikeThisDisabled()
    inputs = validated_inputs(app, original.inputs, config)
    messages = prompt.completion_messages((app.model_config or {}).get("pre_prompt", ""), inputs, original.query)
    req = RunRequest(inputs=inputs, query=original.query)
    return _create_run(app, end_user, req, config, client, inputs, messages, None, None)


def prepare_chat(app: App, end_user: EndUser, req: RunRequest, config: Mapping[str, Any],
                 client: redis.Redis) -> RunSpec:
    """Validate a chat request, take a slot, create the conversation (if new) and the message."""
    if not app.is_chat_family:
        raise NotChatApp()
    req.query = clean_query(req.query, config["QUERY_MAX_LENGTH"], required=True)
    conversation = get_conversation(app.id, end_user.id, req.conversation_id) if req.conversation_id else None
    inputs = conversation.inputs if conversation else validated_inputs(app, req.inputs, config)
    pre_prompt = (app.model_config or {}).get("pre_prompt", "")
    return _create_run(app, end_user, req, config, client, inputs, pre_prompt, conversation, None)


def validated_inputs(app: App, inputs: dict[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    """`inputs` checked against the app's input form and INPUT_MAX_LENGTH. Raises InvalidParam."""
    variables = input_variables(app.mode, app.model_config, app.workflow)
    try:
        return validate_inputs(variables, inputs, int(config["INPUT_MAX_LENGTH"]))
    except InputError as exc:
        raise InvalidParam(exc.message) from None


def clean_query(query: str, max_length: int, *, required: bool) -> str:
    """`query` without NUL characters and surrounding blanks. Raises InvalidParam (missing, too long)."""
    query = query.replace("\x00", "").strip()
    if required and not query:
        raise InvalidParam("query is required")
    if max_length and len(query) > max_length:
        raise InvalidParam(f"query: must be at most {max_length} characters.", params="query")
    return query


def _create_run(app, end_user, req, config, client, inputs, prompt_or_messages, conversation, key) -> RunSpec:
    """Every Redis call comes before the first row is written: a Redis fault leaves nothing behind."""
    task_id = str(uuid.uuid4())
    rate_limit.enter(client, app.id, task_id,
                     rate_limit.effective_limit(app.max_active_requests, config["APP_MAX_ACTIVE_REQUESTS"]))
    try:
        task_registry.register(client, task_id, end_user.id)
        cached = cache.lookup(client, key) if key else None
        return _create_rows(app, end_user, req, config, task_id, inputs, prompt_or_messages, conversation,
                            (key, cached))
    except redis.RedisError:
        db.session.rollback()  # the slot (if any) goes stale by itself: another call would wait on Redis again
        raise
    except Exception:
        db.session.rollback()
        rate_limit.leave(client, app.id, task_id)
        raise


def _create_rows(app, end_user, req, config, task_id, inputs, prompt_or_messages, conversation, cache_entry):
    tools = None  # discovered before any row is written: an MCP failure leaves nothing behind
    if app.mode == "agent-chat" and mcp_service.servers(app):
        tools = agent.discover(mcp_service.servers(app), config)
    new_conversation = app.mode != "completion" and conversation is None
    if new_conversation:
        conversation = Conversation(app_id=app.id, from_end_user_id=end_user.id, mode=app.mode,
                                    name=short_name(req.query), inputs=inputs,
                                    introduction=(app.model_config or {}).get("opening_statement") or None)
        db.session.add(conversation)
        db.session.flush()
    message = Message(app_id=app.id, conversation_id=conversation.id if conversation else None,
                      from_end_user_id=end_user.id, parent_message_id=req.parent_message_id, task_id=task_id,
                      mode=app.mode, inputs=inputs, query=req.query, status="running")
    db.session.add(message)
    db.session.flush()
    if isinstance(prompt_or_messages, list):
        messages = prompt_or_messages
    else:
        past = prompt.history(conversation.id, message.id, MEMORY_TOKEN_BUDGET) if not new_conversation else []
        messages = prompt.chat_messages(prompt_or_messages, inputs, past, req.query)
    db.session.commit()
    envelope = Envelope(task_id=task_id, message_id=message.id, conversation_id=message.conversation_id,
                        created_at=to_timestamp(message.created_at), mode=app.mode)
    mcp_config = {k: config[k] for k in ("MCP_ALLOW_PRIVATE", "MCP_ALLOW_LOOPBACK")}
    return RunSpec(envelope=envelope, app_id=app.id, end_user_id=end_user.id, messages=messages,
                   settings=provider_settings(app, config), new_conversation=new_conversation,
                   cache_key=cache_entry[0], cached=cache_entry[1], tools=tools, mcp_config=mcp_config)


def short_name(query: str) -> str:
    query = " ".join(query.split())
    return query if len(query) <= NAME_LENGTH else query[:NAME_LENGTH] + "…"


def launch(flask_app: Flask, spec: RunSpec, client: redis.Redis, config: Mapping[str, Any]) -> TaskChannel:
    """Start the run and its supervisor (greenlets under gevent, threads otherwise); return its channel."""
    channel = TaskChannel(client, spec.envelope.task_id, int(config["STREAM_RETENTION_SECONDS"]))
    limits = RunLimits(grace_seconds=float(config["STREAM_RESUME_GRACE_SECONDS"]),
                       max_seconds=float(config["APP_MAX_EXECUTION_TIME"]),
                       cache_ttl=int(config["COMPLETION_CACHE_TTL_SECONDS"]))
    run = GenerationRun(spec, channel, client, limits)
    live_runs.add(run)
    threading.Thread(target=_execute_in_context, args=(flask_app, run), daemon=True,
                     name=f"run-{spec.envelope.task_id}").start()
    threading.Thread(target=supervise, args=(run,), daemon=True).start()
    return channel


def _execute_in_context(flask_app: Flask, run: GenerationRun) -> None:
    with flask_app.app_context():
        run.execute()


def stop(client: redis.Redis, task_id: str, end_user_id: str) -> None:
    """Stop the caller's task from any process; another user's task is silently left alone."""
    task_registry.request_stop(client, task_id, end_user_id)
