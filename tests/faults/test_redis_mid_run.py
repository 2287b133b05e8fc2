"""Redis failing while a chat streams or when it ends: the run still ends and is saved, every loop ends,
and a passing outage (a restart that keeps its data, or a hang) costs the replay log no event."""
from __future__ import annotations

import time
from contextlib import closing

import pytest
import requests

from tests.e2e.test_live_server import TIMEOUT, answer_of, data_frames, passport, seqs, start_chat, stored, timed_frames
from tests.support.fake_openai import Reply

GAVE_UP = "gave up writing its last events"


def _first_frames(response: requests.Response, count: int):
    stream = timed_frames(response)
    return stream, [next(stream)[1] for _ in range(count)]


def _wait_for_log(server, text: str, timeout: float) -> float:
    """Seconds until `text` appears in the server's log (fails after `timeout`)."""
    began = time.monotonic()
    while text not in server.log():
        assert time.monotonic() - began < timeout, f"{text!r} not logged within {timeout} s:\n{server.log()[-3000:]}"
        time.sleep(0.1)
    return time.monotonic() - began


def test_redis_killed_mid_stream_the_run_ends_saved_and_its_supervisor_stops(
        app, redis_fault_server, redis_up, reply, make_code):
    text = reply(Reply(text="".join(f"t{i:02d} " for i in range(25)), chunk_size=4, pace=0.08)).text
    server = redis_fault_server
    with closing(start_chat(server.url, passport(server.url, make_code()))) as response:
        stream, got = _first_frames(response, 3)
        redis_up.stop()
        got += [frame for _, frame in stream]
    assert got[-1].name == "message_end" and answer_of(got) == text, "the live client is served from memory"
    assert stored(app, got[0].data["id"]) == ("normal", text)
    waited = _wait_for_log(server, f"run {got[0].data['task_id']}: Redis unreachable; {GAVE_UP}", timeout=10)
    size = len(server.log())
    time.sleep(1.0)
    assert len(server.log()) == size, f"the run's loops go on after giving up:\n{server.log()[size:]}"
    print(f"supervisor gave up {waited:.1f} s after the stream ended")


@pytest.mark.parametrize("outage", ["restarted", "hung"])
def test_redis_out_for_a_moment_mid_stream_the_replay_log_keeps_every_event(
        app, redis_fault_server, redis_up, reply, make_code, outage):
    text = reply(Reply(text="".join(f"w{i:02d} " for i in range(25)), chunk_size=4, pace=0.08)).text
    server = redis_fault_server.url
    headers = passport(server, make_code())
    with closing(start_chat(server, headers)) as response:
        stream, live = _first_frames(response, 4)
        redis_up.shut_down_saving() if outage == "restarted" else redis_up.hang()
        time.sleep(1.0)  # the supervisor's flushes fail meanwhile; the events wait in memory
        redis_up.start() if outage == "restarted" else redis_up.unhang()
        live += [frame for _, frame in stream]
    assert live[-1].name == "message_end" and answer_of(live) == text
    task_id = live[0].data["task_id"]
    replay = requests.get(f"{server}/api/chat-messages/{task_id}/events", stream=True, timeout=TIMEOUT,
                          headers={**headers, "Last-Event-ID": f"{task_id}:0"})
    with closing(replay):
        assert replay.status_code == 200, replay.text
        replayed = data_frames(replay)
    assert seqs(replayed) == list(range(1, len(live) + 1)), "no gap, no duplicate in the replay log"
    assert [f.data for f in replayed] == [f.data for f in live]


def test_redis_killed_under_a_resume_ends_it_with_an_error_event(app, redis_fault_server, redis_up, reply,
                                                                 make_code):
    reply(Reply(text="r" * 200, chunk_size=4, pace=0.1))
    server = redis_fault_server.url
    headers = passport(server, make_code())
    with closing(start_chat(server, headers)) as response:
        _, live = _first_frames(response, 2)  # then the client drops; the run goes on (grace 10 s)
    resumed = requests.get(f"{server}/api/chat-messages/{live[0].data['task_id']}/events", stream=True,
                           timeout=TIMEOUT, headers={**headers, "Last-Event-ID": live[-1].event_id})
    with closing(resumed):
        stream, got = _first_frames(resumed, 2)
        killed = time.monotonic()
        redis_up.stop()
        got += [frame for _, frame in stream if frame.data]
        ended = time.monotonic() - killed
    assert got[-1].name == "error" and got[-1].data["code"] == "service_unavailable", got[-1].data
    assert got[-1].event_id is None and ended < 4, ended
