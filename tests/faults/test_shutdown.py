"""A gunicorn worker told to stop (SIGTERM) or killed (SIGKILL) in the middle of streams.

SIGTERM: every chat stream ends with message_end (metadata.stopped_by "shutdown") and the partial
answer is saved; a workflow stream (its run goes on in the RQ worker) ends with a resumable error
frame; all well within graceful_timeout. After either signal a resume on another server process
ends promptly with a terminal event.
"""
from __future__ import annotations

import json
import os
import signal
import time
from contextlib import closing

import requests
from simple_websocket import ConnectionClosed

from services.generation.task_registry import ALIVE_TTL
from tests.e2e.test_live_server import TIMEOUT, answer_of, data_frames, passport, seqs, start_chat, stored, timed_frames
from tests.e2e.test_websocket import answer as answer_of_events
from tests.e2e.test_websocket import connect, send
from tests.faults.conftest import import_app, live_server, rq_worker
from tests.support.fake_openai import Reply
from tests.support.sse import Frame

GRACEFUL = 5  # the doomed servers' graceful_timeout; every stream is longer than this


def _run_frames(frames) -> list[Frame]:
    """Data frames of a run; `workflow_queued` notices (a run waiting for a worker) carry no new seq."""
    return [frame for frame in frames if frame.data and frame.name != "workflow_queued"]


def _resume(server: str, path: str, headers: dict, last_event_id: str) -> tuple[list[Frame], float]:
    """The run frames a resume on `server` gets, and how long it took to end."""
    began = time.monotonic()
    response = requests.get(server + path, stream=True, timeout=TIMEOUT, headers={**headers,
                                                                                  "Last-Event-ID": last_event_id})
    with closing(response):
        assert response.status_code == 200, response.text
        return _run_frames(data_frames(response)), time.monotonic() - began


def _until(stream, count: int, name: str | None = None) -> list[Frame]:
    """Data frames from `stream` until `count` of them (named `name`, when given) arrived."""
    got = []
    for _, frame in stream:
        got += _run_frames([frame])
        if len([f for f in got if name is None or f.name == name]) >= count:
            return got
    raise AssertionError(f"the stream ended early: {[f.name for f in got]}")


def _websocket_chat_until_closed(ws) -> list[dict]:
    """Every event of the socket's chat until the server closes the socket (bounded)."""
    events = []
    try:
        while True:
            raw = ws.receive(timeout=GRACEFUL)
            assert raw is not None, "the socket stayed open"
            event = json.loads(raw)
            if event.get("event"):
                events.append(event)
    except ConnectionClosed:
        return events


def test_sigterm_ends_chat_streams_with_message_end_and_keeps_the_partial_answer(
        app, backend_settings, upstream, other_server, reply, make_code):
    reply(Reply(text="x" * 400, chunk_size=4, pace=0.1))  # 10 s of answer
    code = make_code()
    with live_server(backend_settings, upstream, GUNICORN_GRACEFUL_TIMEOUT=GRACEFUL) as doomed:
        headers = passport(doomed.url, code)
        ws = connect(doomed.url, code, headers["X-App-Passport"])
        send(ws, type="chat", inputs={}, query="over the socket", response_mode="streaming")
        with closing(start_chat(doomed.url, headers)) as response:
            stream = timed_frames(response)
            before = _until(stream, 3)
            signalled = time.monotonic()
            os.kill(doomed.process.pid, signal.SIGTERM)  # the arbiter, as `docker stop` does
            rest = [(at, frame) for at, frame in stream if frame.data]
        over_socket = _websocket_chat_until_closed(ws)
        doomed.process.wait(GRACEFUL + 3)
        exited = time.monotonic() - signalled
    assert over_socket[-1]["event"] == "message_end" and over_socket[-1]["metadata"]["stopped_by"] == "shutdown"
    assert stored(app, over_socket[-1]["id"]) == ("stopped", answer_of_events(over_socket))
    got = before + [frame for _, frame in rest]
    end = got[-1].data
    assert end["event"] == "message_end" and end["metadata"]["stopped_by"] == "shutdown", end
    assert rest[-1][0] - signalled < 2.5 and exited < GRACEFUL, (rest[-1][0] - signalled, exited)
    status, answer = stored(app, end["id"])
    assert status == "stopped" and answer == answer_of(got) and 0 < len(answer) < 400
    after, took = _resume(other_server.url, f"/api/chat-messages/{end['task_id']}/events", headers,
                          before[-1].event_id)
    assert took < 2 and after[-1].data == end and answer_of(before + after) == answer
    assert seqs(before + after) == list(range(1, len(before + after) + 1))
    print(f"SIGTERM: message_end after {rest[-1][0] - signalled:.2f} s, worker gone after {exited:.2f} s, "
          f"resume elsewhere {took:.2f} s")


def test_sigkill_then_a_resume_elsewhere_ends_from_the_stored_message(app, backend_settings, upstream, other_server,
                                                                      reply, make_code):
    reply(Reply(text="".join(f"c{i:02d} " for i in range(80)), chunk_size=4, pace=0.1))
    code = make_code()
    with live_server(backend_settings, upstream) as doomed:
        headers = passport(doomed.url, code)
        with closing(start_chat(doomed.url, headers)) as response:
            before = _until(timed_frames(response), 3)
            time.sleep(0.3)  # a few more events reach the replay log (flushed every 50 ms)
            os.killpg(doomed.process.pid, signal.SIGKILL)
    task_id = before[0].data["task_id"]
    after, took = _resume(other_server.url, f"/api/chat-messages/{task_id}/events", headers, before[-1].event_id)
    end = after[-1].data
    assert end["event"] == "error" and end["code"] == "run_interrupted" and end["status"] == 400, end
    assert took < ALIVE_TTL + 4, f"resume took {took:.1f} s"
    status, answer = stored(app, before[0].data["id"])
    assert status == "error" and answer == answer_of(before + after) and len(answer) > len(answer_of(before))
    again, took_again = _resume(other_server.url, f"/api/chat-messages/{task_id}/events", headers,
                                after[-1].event_id)
    assert again == [] and took_again < 4, "a resume after the terminal event ends at once"
    print(f"SIGKILL: resume elsewhere ended after {took:.2f} s; from its end {took_again:.2f} s")


def test_sigterm_ends_a_workflow_stream_resumable_and_the_run_finishes_elsewhere(
        app, runner, backend_settings, upstream, other_server, reply):
    reply(Reply(text="k" * 240, chunk_size=2, pace=0.03))
    code = import_app(runner, "awesome-translation-workflow.yml")
    with rq_worker(backend_settings, upstream), \
            live_server(backend_settings, upstream, GUNICORN_GRACEFUL_TIMEOUT=GRACEFUL) as doomed:
        headers = passport(doomed.url, code)
        form = requests.get(f"{doomed.url}/api/parameters", headers=headers, timeout=TIMEOUT).json()
        inputs = {next(iter(f.values()))["variable"]: "hello" for f in form["user_input_form"]}
        response = requests.post(f"{doomed.url}/api/workflows/run", headers=headers, stream=True, timeout=TIMEOUT,
                                 json={"inputs": inputs, "response_mode": "streaming"})
        with closing(response):
            stream = timed_frames(response)
            before = _until(stream, 3, name="text_chunk")
            signalled = time.monotonic()
            os.kill(doomed.process.pid, signal.SIGTERM)
            rest = [(at, frame) for at, frame in stream if _run_frames([frame])]
        cut = rest[-1][1]
        assert cut.name == "error" and cut.data["code"] == "server_restarting" and cut.data["resumable"], cut.data
        assert cut.event_id is None and rest[-1][0] - signalled < 3
        got = before + [frame for _, frame in rest[:-1]]
        after, _ = _resume(other_server.url, f"/api/workflow/{got[0].data['task_id']}/events", headers,
                           got[-1].event_id)
    assert after[-1].name == "workflow_finished" and after[-1].data["data"]["status"] == "succeeded"
    assert seqs(got + after) == list(range(1, len(got + after) + 1))
