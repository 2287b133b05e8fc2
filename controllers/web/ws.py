"""WebSocket transport at /api/ws: the same runs and events as SSE, several runs per socket.

Connect with `?app_code=<code>&passport=<token>` (or the usual headers/cookie), then send
`{"type": "chat"|"completion"|"workflow", ...the POST body...}`, `{"type": "stop", "task_id": ...}`
or `{"type": "ping"}`. Every event arrives as the same JSON object SSE would carry.
"""
from __future__ import annotations

import json
import threading
from typing import Any, Callable, Iterator

from flask import current_app, request
from pydantic import BaseModel, ValidationError
from simple_websocket import ConnectionClosed

from api.errors import UNAVAILABLE_ERRORS, error_body
from api.extensions import get_queue, get_redis, get_stream_redis
from api.limits import parse_json
from controllers.common.auth import read_passport, synced_cache
from controllers.common.payload import query_args
from controllers.openapi.operation import describe
from controllers.web.generation import ChatPayload, CompletionPayload, run_request
from controllers.web.workflow import WorkflowRunPayload
from core import shutdown
from core.task_channel import is_terminal
from services.errors import AppError, InvalidParam, NotFound
from services.generation import service as generation
from services.passport_service import WebCaller, resolve_passport
from services.workflow import service as workflow

Item = tuple[int, dict[str, Any]] | None
RECEIVE_TIMEOUT = 1  # also how soon a socket notices that the server is shutting down
DRAIN_TIMEOUT = 5  # at shutdown, how long the socket waits for its runs' last frames


class WsSession:
    """One socket: runs started on it forward their events from greenlets; sends are serialized."""

    def __init__(self, ws: Any, caller: WebCaller):
        self.ws, self.caller = ws, caller
        self.app = current_app._get_current_object()
        self._send_lock = threading.Lock()
        self._detach: list[Callable[[], None]] = []
        self._pumps: list[threading.Thread] = []
        self.open = True

    def send(self, payload: dict[str, Any]) -> None:
        with self._send_lock:
            if self.open:
                self.ws.send(json.dumps(payload, ensure_ascii=False))

    def serve(self) -> None:
        """Handle frames until the client leaves or the server shuts down (then let the runs' last frames out)."""
        try:
            while self.open and not shutdown.is_draining():
                raw = self.ws.receive(timeout=RECEIVE_TIMEOUT)
                if raw is not None:
                    self.handle(raw)
            for pump in self._pumps:
                pump.join(DRAIN_TIMEOUT)
        except ConnectionClosed:
            pass
        finally:
            self.open = False
            for detach in self._detach:
                detach()

    def handle(self, raw: str | bytes) -> None:
        """Dispatch one client frame; a bad frame gets an error event, the socket stays open."""
        try:
            message = parse_json(raw, self.app.config["MAX_JSON_DEPTH"])
            if not isinstance(message, dict):
                raise InvalidParam("A frame must be a JSON object.")
            self._dispatch(message.pop("type", None), message)
        except (AppError, ValidationError, ValueError, *UNAVAILABLE_ERRORS) as exc:
            self.send({"event": "error", **error_body(exc)})

    def _dispatch(self, kind: str | None, body: dict[str, Any]) -> None:
        handlers = {"chat": self._chat, "completion": self._completion, "workflow": self._workflow,
                    "stop": self._stop, "ping": lambda _: self.send({"type": "pong"})}
        if kind not in handlers:
            raise InvalidParam(f"Unknown frame type {kind!r}; expected one of {', '.join(handlers)}.")
        handlers[kind](body)

    def _chat(self, body: dict[str, Any]) -> None:
        payload, app = ChatPayload.model_validate(body), self.caller.app
        if app.mode == "advanced-chat":
            started = workflow.start_chatflow(app, self.caller.end_user, run_request(payload), self.app.config,
                                              get_redis(), get_queue())
            return self._forward_workflow(started, chat=True)
        spec = generation.prepare_chat(app, self.caller.end_user, run_request(payload), self.app.config, get_redis())
        self._forward_run(spec)

    def _completion(self, body: dict[str, Any]) -> None:
        payload = CompletionPayload.model_validate(body)
        spec = generation.prepare_completion(self.caller.app, self.caller.end_user, run_request(payload),
                                             self.app.config, get_redis())
        self._forward_run(spec)

    def _workflow(self, body: dict[str, Any]) -> None:
        payload = WorkflowRunPayload.model_validate(body)
        started = workflow.start_workflow(self.caller.app, self.caller.end_user, payload.inputs, self.app.config,
                                          get_redis(), get_queue())
        self._forward_workflow(started, chat=False)

    def _stop(self, body: dict[str, Any]) -> None:
        task_id = str(body.get("task_id") or "")
        if not task_id:
            raise InvalidParam("task_id is required")
        generation.stop(get_redis(), task_id, self.caller.end_user.id)
        self.send({"type": "stopped", "task_id": task_id, "result": "success"})

    def _forward_run(self, spec: Any) -> None:
        channel = generation.launch(self.app, spec, get_redis(), self.app.config)
        self._detach.append(channel.detach)
        self._spawn(spec.envelope.task_id, channel.live(self.app.config["PING_INTERVAL_SECONDS"]))

    def _forward_workflow(self, started: workflow.Started, chat: bool) -> None:
        config = self.app.config
        self._spawn(started.task_id, workflow.follow(get_stream_redis(), started.task_id, 0,
                                                     config["PING_INTERVAL_SECONDS"],
                                                     config["STREAM_RETENTION_SECONDS"], chat=chat))

    def _spawn(self, task_id: str, events: Iterator[Item]) -> None:
        pump = threading.Thread(target=self._pump, args=(task_id, events), daemon=True)
        self._pumps = [p for p in self._pumps if p.is_alive()] + [pump]
        pump.start()

    def _pump(self, task_id: str, events: Iterator[Item]) -> None:
        """Forward a run's events; one cut by a shutdown ends with `shutdown.interrupted_event`."""
        last = None
        with self.app.app_context():
            try:
                for item in events:
                    if item is not None:
                        last = item[1]
                    self.send({"type": "ping"} if item is None else item[1])
                if shutdown.is_draining() and not is_terminal(last):
                    self.send(shutdown.interrupted_event(task_id))
            except ConnectionClosed:
                self.open = False


class WsQuery(BaseModel):
    app_code: str | None = None
    passport: str | None = None


@describe("WebSocket transport: the runs and events of the SSE routes, several runs per socket", status=101,
          query=WsQuery, errors=(400,), description=__doc__.split("\n\n", 1)[1].strip())
def websocket_handler(ws: Any) -> None:
    """Authenticate from the query string (browsers cannot set headers on a WebSocket), then serve."""
    args = query_args(WsQuery)
    token = args.passport or read_passport()
    code = args.app_code or request.headers.get("X-App-Code")
    try:
        caller = resolve_passport(current_app.config["SECRET_KEY"], token, code, synced_cache())
    except (AppError, NotFound) as exc:
        ws.send(json.dumps({"event": "error", **error_body(exc)}))
        ws.close()
        return
    WsSession(ws, caller).serve()
