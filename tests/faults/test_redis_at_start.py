"""Redis down (killed) or hung (SIGSTOP) when a run starts: a quick 503, and not a row left behind."""
from __future__ import annotations

import time
from contextlib import closing

import pytest
import requests
import sqlalchemy as sa

from api.extensions import db
from models import Conversation, Message, Site, WorkflowRun
from services import app_service
from tests.e2e.test_live_server import TIMEOUT, passport, start_chat
from tests.e2e.test_websocket import close_quietly, connect, receive, send
from tests.factories import make_app
from tests.faults.conftest import import_app
from tests.support.sse import frames

QUICK = 2.5  # seconds: one Redis read timeout (1 s) plus the request itself, with room for a busy machine


@pytest.fixture
def codes(app, runner):
    config = {**app_service.easy_model_config("test-model", "You are helpful."), "more_like_this": {"enabled": True}}
    return {"chat": make_app(app)["code"], "completion": make_app(app, mode="completion", model_config=config)["code"],
            "workflow": import_app(runner, "dify-fx-dual-switch-aggregator.yml"),
            "chatflow": import_app(runner, "awesome-artifact.yml")}


def _workflow_inputs(server: str, headers: dict) -> dict:
    form = requests.get(f"{server}/api/parameters", headers=headers, timeout=TIMEOUT).json()["user_input_form"]
    return {next(iter(f.values()))["variable"]: 1 for f in form}


def _requests(server: str, headers: dict, message_id: str) -> dict[str, tuple]:
    """(app kind, method, path, body) of every way to start a run, by name."""
    chat = {"inputs": {}, "query": "hello"}
    inputs = _workflow_inputs(server, headers["workflow"])
    return {
        "chat streaming": ("chat", "POST", "/api/chat-messages", {**chat, "response_mode": "streaming"}),
        "chat blocking": ("chat", "POST", "/api/chat-messages", {**chat, "response_mode": "blocking"}),
        "completion": ("completion", "POST", "/api/completion-messages", {"inputs": {}, "response_mode": "streaming"}),
        "more-like-this": ("completion", "GET", f"/api/messages/{message_id}/more-like-this?response_mode=streaming",
                           None),
        "workflow": ("workflow", "POST", "/api/workflows/run", {"inputs": inputs, "response_mode": "streaming"}),
        "chatflow": ("chatflow", "POST", "/api/chat-messages", {**chat, "response_mode": "streaming"}),
    }


def _unavailable(response: requests.Response, began: float, what: str) -> float:
    elapsed = time.monotonic() - began
    assert response.status_code == 503, (what, response.status_code, response.text)
    body = response.json()
    assert body["code"] == "service_unavailable" and body["status"] == 503 and body["message"], (what, body)
    assert response.headers["Retry-After"].isdigit()
    assert elapsed < QUICK, f"{what}: 503 after {elapsed:.1f} s"
    return elapsed


def _rows(app, app_ids: list[str]) -> dict[str, int]:
    with app.app_context():
        count = lambda model: db.session.scalar(  # noqa: E731
            sa.select(sa.func.count()).select_from(model).where(model.app_id.in_(app_ids)))
        running = db.session.scalar(sa.select(sa.func.count()).select_from(Message).where(Message.status == "running"))
        return {"messages": count(Message), "conversations": count(Conversation), "runs": count(WorkflowRun),
                "running": running}


def _app_ids(app, codes: dict[str, str]) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Site.app_id).where(Site.code.in_(codes.values()))))


@pytest.mark.parametrize("fault", ["down", "hung"])
def test_redis_fault_at_start_answers_503_quickly_and_leaves_no_row(app, redis_fault_server, redis_up, codes, fault):
    server = redis_fault_server.url
    headers = {kind: passport(server, code) for kind, code in codes.items()}
    first = requests.post(f"{server}/api/completion-messages", headers=headers["completion"], timeout=TIMEOUT,
                          json={"inputs": {}, "response_mode": "blocking"})
    assert first.status_code == 200, first.text
    before = _rows(app, _app_ids(app, codes))
    ways = _requests(server, headers, first.json()["id"])
    redis_up.stop() if fault == "down" else redis_up.hang()
    took = {}
    for what, (kind, method, path, body) in ways.items():
        began = time.monotonic()
        response = requests.request(method, server + path, headers=headers[kind], json=body, timeout=TIMEOUT)
        took[what] = _unavailable(response, began, what)
    ws = connect(server, codes["chat"], headers["chat"]["X-App-Passport"])
    try:
        began = time.monotonic()
        send(ws, type="chat", inputs={}, query="hello", response_mode="streaming")
        event = receive(ws)
        assert event["event"] == "error" and event["code"] == "service_unavailable" and event["status"] == 503
        took["websocket chat"] = time.monotonic() - began
        assert took["websocket chat"] < QUICK
    finally:
        close_quietly(ws)
    assert _rows(app, _app_ids(app, codes)) == before == {"messages": 1, "conversations": 0, "runs": 0, "running": 0}
    print(f"503 after Redis {fault}: " + ", ".join(f"{k} {v:.2f} s" for k, v in took.items()))
    redis_up.ensure_up()
    with closing(start_chat(server, headers["chat"])) as response:
        assert [f for f in frames(response.iter_content(chunk_size=None)) if f.data][-1].name == "message_end"
