"""Streaming through the real server (gunicorn, one gevent worker): timing, disconnect, stop, resume, load."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import requests
import sqlalchemy as sa

from api.extensions import db
from models import Message
from tests.support.fake_openai import Reply
from tests.support.sse import Frame, frames

TIMEOUT = (2, 10)  # connect, read: no test waits forever on a stuck server


def passport(base_url: str, code: str) -> dict[str, str]:
    """Auth headers of a new end user, fetched the way the front end does."""
    response = requests.get(f"{base_url}/api/passport", headers={"X-App-Code": code}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return {"X-App-Code": code, "X-App-Passport": response.json()["access_token"]}


def start_chat(base_url: str, headers: dict, query: str = "hello", **body) -> requests.Response:
    response = requests.post(f"{base_url}/api/chat-messages", headers=headers, stream=True, timeout=TIMEOUT,
                             json={"inputs": {}, "query": query, "response_mode": "streaming", **body})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/event-stream")
    return response


def timed_frames(response: requests.Response):
    """(arrival time, frame) for each frame, reading raw chunks as the socket delivers them."""
    for frame in frames(response.iter_content(chunk_size=None)):
        yield time.monotonic(), frame


def data_frames(response: requests.Response) -> list[Frame]:
    return [f for _, f in timed_frames(response) if f.data]


def answer_of(got: list[Frame]) -> str:
    return "".join(f.data["answer"] for f in got if f.name == "message")


def seqs(got: list[Frame]) -> list[int]:
    return [int(f.event_id.split(":")[1]) for f in got if f.data]


def stored(app, message_id: str, timeout: float = 3.0) -> tuple[str, str]:
    """(status, answer) of a message once its run has ended (bounded wait)."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            row = db.session.execute(sa.select(Message.status, Message.answer).where(Message.id == message_id)).one()
        if row.status != "running" or time.monotonic() > deadline:
            return row.status, row.answer
        time.sleep(0.05)


def test_chat_streams_incrementally_through_gunicorn_and_continues(app, server, upstream, reply, make_code):
    text = reply(Reply(text="0123456789" * 4, chunk_size=4, pace=0.1)).text
    headers = passport(server, make_code())
    started = time.monotonic()
    with closing(start_chat(server, headers, "I am Ann")) as response:
        got = [(at, f) for at, f in timed_frames(response) if f.data]
    arrivals = [at - started for at, f in got if f.name == "message"]
    assert len(arrivals) == 10 and answer_of([f for _, f in got]) == text
    assert arrivals[0] < 0.5 and arrivals[-1] - arrivals[0] > 0.7  # upstream paces 9 x 0.1 s
    assert sorted(arrivals) == arrivals and arrivals[4] - arrivals[0] > 0.3
    end = got[-1][1].data
    assert end["event"] == "message_end" and end["metadata"]["usage"]["completion_tokens"] == 10
    assert end["metadata"]["usage"]["total_tokens"] > 10
    conversation_id = end["conversation_id"]
    with closing(start_chat(server, headers, "Who am I?", conversation_id=conversation_id)) as response:
        second = data_frames(response)
    assert second[0].data["conversation_id"] == conversation_id and second[-1].name == "message_end"
    history = upstream.requests[-1].body["messages"]
    assert [m["content"] for m in history[-3:]] == ["I am Ann", text, "Who am I?"]


def test_disconnect_with_zero_grace_stops_the_run_and_keeps_what_was_sent(app, server, upstream, reply,
                                                                          make_code):
    reply(Reply(text="abcdefghij" * 6, chunk_size=2, pace=0.1))
    headers = passport(server, make_code())
    disconnects = upstream.disconnects
    response = start_chat(server, headers)
    received = []
    for _, frame in timed_frames(response):
        received.append(frame)
        if len(received) == 2:
            break
    response.close()
    assert upstream.wait_for_disconnect(timeout=2.0, count=disconnects + 1)
    status, answer = stored(app, received[0].data["id"])
    assert status == "stopped" and answer.startswith(answer_of(received)) and len(answer) < 60


def test_stop_from_a_second_connection_ends_the_stream_promptly(app, server, reply, make_code):
    reply(Reply(text="x" * 200, chunk_size=2, pace=0.1))
    headers = passport(server, make_code())
    with closing(start_chat(server, headers)) as response:
        stream = timed_frames(response)
        got = [next(stream)[1], next(stream)[1]]
        stop_at = time.monotonic()
        stop = requests.post(f"{server}/api/chat-messages/{got[0].data['task_id']}/stop", headers=headers,
                             timeout=TIMEOUT)
        assert stop.json() == {"result": "success"}
        at = float("inf")
        for at, frame in stream:
            got.append(frame)
    assert got[-1].name == "message_end" and at - stop_at < 1.5
    status, answer = stored(app, got[0].data["id"])
    assert status == "stopped" and answer == answer_of(got) and len(answer) < 200


def test_resume_after_a_drop_replays_exactly_what_was_missed(app, resumable_server, reply, make_code):
    text = reply(Reply(text="".join(f"w{i:02d} " for i in range(20)), chunk_size=4, pace=0.1)).text
    headers = passport(resumable_server, make_code())
    before = []
    with closing(start_chat(resumable_server, headers)) as response:
        for _, frame in timed_frames(response):
            before.append(frame)
            if len(before) == 3:
                break
    task_id = before[0].data["task_id"]
    resumed = requests.get(f"{resumable_server}/api/chat-messages/{task_id}/events", stream=True,
                           headers={**headers, "Last-Event-ID": before[-1].event_id}, timeout=TIMEOUT)
    with closing(resumed):
        assert resumed.status_code == 200, resumed.text
        after = data_frames(resumed)
    assert seqs(before + after) == list(range(1, len(before + after) + 1))
    assert answer_of(before + after) == text and after[-1].name == "message_end"
    assert stored(app, before[0].data["id"]) == ("normal", text)


def test_twenty_concurrent_streams_share_one_gevent_worker(app, server, reply, make_code):
    text = reply(Reply(text="abcdefghij" * 2, chunk_size=2, pace=0.05)).text
    code = make_code()
    users = [passport(server, code) for _ in range(20)]

    def chat(headers: dict) -> list[Frame]:
        with closing(start_chat(server, headers)) as response:
            return data_frames(response)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(chat, users, timeout=15))
    elapsed = time.monotonic() - started
    assert all(answer_of(got) == text and got[-1].name == "message_end" for got in results)
    assert len({got[0].data["task_id"] for got in results}) == 20
    assert elapsed < 3.0, f"20 streams of ~0.45 s took {elapsed:.2f} s (sequential would be ~9 s)"
