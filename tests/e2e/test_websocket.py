"""The WebSocket transport (/api/ws) through the real server, driven by a Python client (simple-websocket)."""
from __future__ import annotations

import json
import time
from contextlib import closing
from typing import Any

import pytest
from simple_websocket import Client, ConnectionClosed

from tests.e2e.test_live_server import passport
from tests.support.fake_openai import Reply

DEADLINE = 10.0  # no test waits longer than this on one socket


class WsClient(Client):
    """simple-websocket's Client, minus a client-side race.

    Its handshake reads until wsproto yields the first event (the 101) and leaves any frames that came in the
    same recv() buffered in wsproto until more bytes arrive; when the server sends a frame and closes right
    after the handshake (the 401 case), EOF comes next and that frame is lost (ConnectionClosed 1005). Process
    such buffered frames before the reader loop starts.
    """

    def _thread(self):
        self.connected = self._handle_events()
        super()._thread()


def ws_url(base_url: str, code: str, token: str) -> str:
    return f"{base_url.replace('http://', 'ws://', 1)}/api/ws?app_code={code}&passport={token}"


def connect(base_url: str, code: str, token: str | None = None) -> Client:
    token = token if token is not None else passport(base_url, code)["X-App-Passport"]
    return WsClient.connect(ws_url(base_url, code, token))


def close_quietly(ws: Client) -> None:
    """Close unless the server already did (simple-websocket raises ConnectionClosed then)."""
    try:
        ws.close()
    except ConnectionClosed:
        pass


def send(ws: Client, **frame: Any) -> None:
    ws.send(json.dumps(frame))


def receive(ws: Client, timeout: float = 5.0) -> dict[str, Any]:
    """The next non-ping frame as a dict; fails instead of waiting forever."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "no frame from the server in time"
        raw = ws.receive(timeout=remaining)
        assert raw is not None, "no frame from the server in time"
        frame = json.loads(raw)
        if frame != {"type": "ping"}:
            return frame


def chat(ws: Client, query: str) -> None:
    send(ws, type="chat", inputs={}, query=query, response_mode="streaming")


def run_until_ended(ws: Client, runs: int, on_event=None) -> list[dict[str, Any]]:
    """Every event until `runs` runs have ended (message_end or error), in arrival order."""
    events, ended = [], set()
    deadline = time.monotonic() + DEADLINE
    while len(ended) < runs:
        event = receive(ws, timeout=deadline - time.monotonic())
        events.append(event)
        if on_event is not None:
            on_event(event)
        if event.get("event") in ("message_end", "error"):
            assert event.get("task_id"), event
            ended.add(event["task_id"])
    return events


def by_task(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if "task_id" in event and "event" in event:
            runs.setdefault(event["task_id"], []).append(event)
    return runs


def answer(events: list[dict[str, Any]]) -> str:
    return "".join(e["answer"] for e in events if e["event"] == "message")


@pytest.fixture
def replies(monkeypatch, upstream):
    """`replies({query: Reply})`: the upstream answers each request by its last user message."""
    def use(table: dict[str, Reply]) -> dict[str, Reply]:
        def pick(body: dict) -> Reply:
            users = [m for m in body.get("messages") or [] if m.get("role") == "user"]
            return table[users[-1]["content"]]
        monkeypatch.setattr(upstream, "default", pick)
        return table
    return use


def test_two_concurrent_chats_on_one_socket_interleave_and_both_complete(server, replies, make_code):
    table = replies({"alpha": Reply(text="A0A1A2A3A4A5A6A7A8A9", chunk_size=2, pace=0.1),
                     "beta": Reply(text="b0b1b2b3b4b5b6b7b8b9", chunk_size=2, pace=0.1)})
    with closing(connect(server, make_code())) as ws:
        chat(ws, "alpha")
        chat(ws, "beta")
        events = run_until_ended(ws, runs=2)
    runs = by_task(events)
    assert len(runs) == 2, events
    texts = sorted(answer(run) for run in runs.values())
    assert texts == sorted(r.text for r in table.values())
    for run in runs.values():
        assert run[-1]["event"] == "message_end" and len({e["message_id"] for e in run if "message_id" in e}) == 1
        assert [e["event"] for e in run].count("message") == 10
    order = [e["task_id"] for e in events if e.get("event") == "message"]
    switches = sum(1 for a, b in zip(order, order[1:]) if a != b)
    assert switches >= 4, f"the two runs did not interleave: {order}"


def test_stop_one_of_two_runs_the_other_completes(server, replies, make_code):
    table = replies({"long": Reply(text="x" * 200, chunk_size=2, pace=0.1),
                     "short": Reply(text="s0s1s2s3s4s5s6s7s8s9", chunk_size=2, pace=0.1)})
    stopped: dict[str, Any] = {}
    with closing(connect(server, make_code())) as ws:
        chat(ws, "long")
        first = receive(ws)
        long_task = first["task_id"]
        chat(ws, "short")

        def stop_long_once(event: dict[str, Any]) -> None:
            if not stopped and event.get("task_id") == long_task and event.get("event") == "message":
                stopped["at"] = time.monotonic()
                send(ws, type="stop", task_id=long_task)

        events = [first] + run_until_ended(ws, runs=2, on_event=stop_long_once)
        ended_at = time.monotonic()
        send(ws, type="ping")
        assert receive(ws) == {"type": "pong"}
    assert {"type": "stopped", "task_id": long_task, "result": "success"} in events
    runs = by_task(events)
    assert len(runs) == 2
    long_run = runs.pop(long_task)
    (short_run,) = runs.values()
    assert long_run[-1]["event"] == "message_end"
    assert long_run[-1]["metadata"]["stopped_by"] == "user"
    assert 0 < len(answer(long_run)) < 200
    assert short_run[-1]["event"] == "message_end" and "stopped_by" not in short_run[-1]["metadata"]
    assert answer(short_run) == table["short"].text
    assert ended_at - stopped["at"] < 3.0


@pytest.mark.parametrize("raw", [
    "this is not json",
    json.dumps([{"type": "ping"}]),
    json.dumps({"type": "dance"}),
    json.dumps({"type": "chat", "inputs": {}, "response_mode": "streaming"}),
    '{"type": "chat", "query": "q", "inputs": {"x": ' + "[" * 1000 + "]" * 1000 + "}}",
    json.dumps({"type": "chat", "inputs": {}, "query": "a\ud800"}),
], ids=["non-json", "json-array", "unknown-type", "chat-without-query", "nested-1000-deep", "lone-surrogate"])
def test_a_bad_frame_gets_an_error_and_the_socket_keeps_working(server, make_code, raw):
    with closing(connect(server, make_code())) as ws:
        ws.send(raw)
        error = receive(ws)
        assert error["event"] == "error" and error["status"] == 400, error
        assert error["code"] and error["message"], error
        send(ws, type="ping")
        assert receive(ws) == {"type": "pong"}


def test_a_frame_over_max_content_length_closes_the_socket_with_1009(server, make_code):
    ws = connect(server, make_code())
    try:
        send(ws, type="chat", inputs={}, query="x" * (2 * 1024 * 1024 + 1))
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(25):  # at most ~5 s
                ws.receive(timeout=0.2)
        assert closed.value.reason == 1009  # "message too big"
    finally:
        close_quietly(ws)


def test_an_invalid_passport_gets_a_401_error_and_the_socket_closes(server, make_code):
    ws = connect(server, make_code(), token="not-a-valid-passport")
    try:
        error = receive(ws)
        assert error["event"] == "error" and error["status"] == 401, error
        with pytest.raises(ConnectionClosed):
            for _ in range(20):  # at most ~4 s: the server closes right after the error
                ws.receive(timeout=0.2)
    finally:
        close_quietly(ws)
