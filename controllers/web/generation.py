"""Completion and chat messages: run, stop, resume (spec §2.1, §3, §4, §5)."""
from __future__ import annotations

import itertools
import uuid
from typing import Any, Literal

from flask import current_app, g
from flask_restful import Resource
from pydantic import BaseModel, ConfigDict, field_validator

from api.extensions import db, get_queue, get_redis, get_stream_redis
from controllers.common.auth import passport_required
from controllers.common.payload import json_body, query_args
from controllers.common.sse import LAST_EVENT_ID, EventsQuery, last_event_id, sse_response
from controllers.openapi import bodies, events, links
from controllers.openapi.operation import describe
from controllers.web.workflow import follow_started
from services.errors import NotChatApp, NotCompletionApp
from services.generation import service, stream_service
from services.generation.run import RunSpec
from services.workflow import service as workflow_service


class CompletionPayload(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"inputs": {}, "query": "Write a haiku.", "response_mode": "streaming"},
        {"inputs": {}, "query": "Write a haiku.", "response_mode": "blocking"}]})

    inputs: dict[str, Any]
    query: str = ""
    files: list[Any] | None = None
    response_mode: Literal["blocking", "streaming"] | None = None
    retriever_from: str = "web_app"


class ChatPayload(CompletionPayload):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"inputs": {}, "query": "Hello!", "response_mode": "streaming", "conversation_id": ""},
        {"inputs": {}, "query": "Hello!", "response_mode": "blocking"}]})

    query: str
    conversation_id: str | None = None
    parent_message_id: str | None = None

    @field_validator("conversation_id", "parent_message_id", mode="before")
    @classmethod
    def _uuid_or_empty(cls, value: Any) -> str | None:
        if value in (None, ""):
            return None
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise ValueError(f"{value} is not a valid uuid.") from None


def _respond(spec: RunSpec, streaming: bool):
    db.session.close()  # the rows are written: waiting for the run and streaming it hold no connection
    config = current_app.config
    channel = service.launch(current_app._get_current_object(), spec, get_redis(), config)
    if not streaming:
        return stream_service.collect_blocking(channel, spec.envelope, config["PING_INTERVAL_SECONDS"])
    batches = channel.live_batches(config["PING_INTERVAL_SECONDS"])
    first = stream_service.first_batch(batches)
    return sse_response(spec.envelope.task_id, itertools.chain([first], batches), on_abort=channel.detach)


def run_request(payload: CompletionPayload) -> service.RunRequest:
    return service.RunRequest(inputs=payload.inputs, query=payload.query, files=payload.files or [],
                              conversation_id=getattr(payload, "conversation_id", None),
                              parent_message_id=getattr(payload, "parent_message_id", None))


STREAMING = "`text/event-stream` when `response_mode` is `streaming`, otherwise JSON."


class CompletionMessagesResource(Resource):
    method_decorators = [passport_required]

    @describe("Run a completion app", body=CompletionPayload, response=bodies.CompletionBlockingBody,
              stream=events.CompletionStreamEvent, errors=(429,), links=links.COMPLETION,
              description=STREAMING)
    def post(self):
        payload = json_body(CompletionPayload)
        spec = service.prepare_completion(g.app_model, g.end_user, run_request(payload), current_app.config,
                                          get_redis())
        return _respond(spec, payload.response_mode == "streaming")


class ChatMessagesResource(Resource):
    method_decorators = [passport_required]

    @describe("Send a chat message (chat, agent-chat and chatflow apps)", body=ChatPayload,
              response=bodies.ChatBlockingBody, stream=events.ChatStreamEvent, errors=(429,), links=links.CHAT_TURN,
              description=STREAMING)
    def post(self):
        payload = json_body(ChatPayload)
        if g.app_model.mode == "advanced-chat":
            started = workflow_service.start_chatflow(g.app_model, g.end_user, run_request(payload), current_app.config,
                                                      get_redis(), get_queue())
            return follow_started(started, payload.response_mode == "streaming")
        spec = service.prepare_chat(g.app_model, g.end_user, run_request(payload), current_app.config, get_redis())
        return _respond(spec, payload.response_mode == "streaming")


class MoreLikeThisQuery(BaseModel):
    response_mode: Literal["blocking", "streaming"]


class MoreLikeThisResource(Resource):
    method_decorators = [passport_required]

    @describe("Another answer to a completion message", query=MoreLikeThisQuery,
              response=bodies.CompletionBlockingBody, stream=events.CompletionStreamEvent, errors=(403, 429))
    def get(self, message_id: uuid.UUID):
        query = query_args(MoreLikeThisQuery)
        spec = service.prepare_more_like_this(g.app_model, g.end_user, str(message_id), current_app.config,
                                              get_redis())
        return _respond(spec, query.response_mode == "streaming")


class CompletionStopResource(Resource):
    method_decorators = [passport_required]

    @describe("Stop a completion run (another user's task: no effect)", response=bodies.ResultSuccess)
    def post(self, task_id: str):
        if g.app_model.mode != "completion":
            raise NotCompletionApp()
        service.stop(get_redis(), task_id, g.end_user.id)
        return {"result": "success"}


class ChatStopResource(Resource):
    """Stop for chat-family apps, and for completion apps too (the front end uses this route)."""

    method_decorators = [passport_required]

    @describe("Stop a chat or completion run (another user's task: no effect)", response=bodies.ResultSuccess)
    def post(self, task_id: str):
        if not (g.app_model.is_chat_family or g.app_model.mode == "completion"):
            raise NotChatApp()
        service.stop(get_redis(), task_id, g.end_user.id)
        return {"result": "success"}


class ChatEventsResource(Resource):
    """Replay a chat or completion run's events after Last-Event-ID and follow it live."""

    method_decorators = [passport_required]

    @describe("Replay a chat or completion run's events after Last-Event-ID, then follow it live",
              query=EventsQuery, headers=(LAST_EVENT_ID,), stream=events.AnyStreamEvent)
    def get(self, task_id: str):
        config = current_app.config
        after = stream_service.parse_last_event_id(last_event_id())
        args = (get_stream_redis(), task_id, g.end_user.id, after, config["PING_INTERVAL_SECONDS"],
                config["STREAM_RETENTION_SECONDS"])
        if g.app_model.mode == "advanced-chat":
            events = workflow_service.resume(*args, chat=True)
        else:
            events = stream_service.resume(*args)
        return sse_response(task_id, events)
