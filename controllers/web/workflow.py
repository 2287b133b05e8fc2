"""Workflow runs: run, stop, resume (spec §2.1, Decisions)."""
from __future__ import annotations

from typing import Any, Literal

from flask import current_app, g
from flask_restful import Resource
from pydantic import BaseModel, ConfigDict

from api.extensions import db, get_queue, get_redis, get_stream_redis
from controllers.common.auth import passport_required
from controllers.common.payload import json_body
from controllers.common.sse import LAST_EVENT_ID, EventsQuery, last_event_id, sse_response
from controllers.openapi import bodies, events, links
from controllers.openapi.operation import describe
from services.errors import NotWorkflowApp
from services.generation.stream_service import parse_last_event_id
from services.workflow import service


class WorkflowRunPayload(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"inputs": {}, "response_mode": "streaming"}, {"inputs": {}, "response_mode": "blocking"}]})

    inputs: dict[str, Any]
    files: list[Any] | None = None
    response_mode: Literal["blocking", "streaming"] | None = None


def follow_started(started: service.Started, streaming: bool):
    """Stream a just-enqueued run from its first event, or wait for its result."""
    db.session.close()  # the run is enqueued: waiting for it (blocking mode) holds no database connection
    config = current_app.config
    events = service.follow(get_stream_redis(), started.task_id, 0, config["PING_INTERVAL_SECONDS"],
                            config["STREAM_RETENTION_SECONDS"], chat=started.envelope.chat is not None)
    if not streaming:
        return service.collect_blocking(events, started.envelope)
    return sse_response(started.task_id, events)


class WorkflowRunResource(Resource):
    method_decorators = [passport_required]

    @describe("Run a workflow app", body=WorkflowRunPayload, response=bodies.WorkflowBlockingBody,
              stream=events.WorkflowStreamEvent, errors=(429,), links=links.WORKFLOW_RUN,
              description="`text/event-stream` unless `response_mode` is `blocking`.")
    def post(self):
        payload = json_body(WorkflowRunPayload)
        started = service.start_workflow(g.app_model, g.end_user, payload.inputs, current_app.config, get_redis(),
                                         get_queue())
        return follow_started(started, payload.response_mode != "blocking")


class WorkflowStopResource(Resource):
    method_decorators = [passport_required]

    @describe("Stop a workflow run (another user's run: no effect)", response=bodies.ResultSuccess)
    def post(self, task_id: str):
        if g.app_model.mode != "workflow":
            raise NotWorkflowApp()
        service.stop(get_redis(), task_id, g.end_user.id)
        return {"result": "success"}


class WorkflowEventsResource(Resource):
    """Replay a workflow or chatflow run's events after Last-Event-ID and follow it live."""

    method_decorators = [passport_required]

    @describe("Replay a workflow or chatflow run's events after Last-Event-ID, then follow it live",
              query=EventsQuery, headers=(LAST_EVENT_ID,), stream=events.AnyStreamEvent)
    def get(self, task_id: str):
        config = current_app.config
        after = parse_last_event_id(last_event_id())
        events = service.resume(get_stream_redis(), task_id, g.end_user.id, after, config["PING_INTERVAL_SECONDS"],
                                config["STREAM_RETENTION_SECONDS"], chat=g.app_model.mode == "advanced-chat")
        return sse_response(task_id, events)
