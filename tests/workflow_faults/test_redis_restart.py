"""Redis restarted under workflow runs (a Redis of the test's own): the job and the event log vanish,
yet every stream ends with a terminal event and every run ends in the database."""
from __future__ import annotations

from contextlib import closing

import pytest
import requests

from tests.factories import auth_headers, passport
from tests.support.fake_openai import Reply
from tests.support.live_server import LiveServer, server_env
from tests.support.redis_server import RedisServer
from tests.support.sse import frames, run_events
from tests.workflow_faults.support import CHAT_APP, QUICK_APP, SLOW_APP, Caller, run_status, stored_run

# longer than redis-py's own retries of a failed command (3, with backoff), which hide shorter outages
OUTAGE = 6.0


@pytest.fixture
def own_redis():
    with RedisServer() as server:
        yield server


@pytest.fixture
def app_overrides(app_overrides, own_redis):
    return {**app_overrides, "REDIS_URL": own_redis.url}


def _read_restarting(chunks, own_redis, when, down_for: float = 0.3) -> list:
    """All data frames of the stream; Redis is restarted once (down for `down_for` s), right after the first
    frame `when` accepts."""
    got, restarted = [], False
    for frame in frames(chunks):
        got.extend([frame] if frame.data else [])
        if not restarted and frame.data and when(frame):
            own_redis.restart(down_for)
            restarted = True
    assert restarted, [f.name for f in got]
    return got


def test_queued_run_lost_in_a_redis_restart_ends_the_served_stream_with_a_terminal_event(
        app, caller, own_redis, backend_settings, upstream):
    user = caller(QUICK_APP)
    env = server_env({**backend_settings, "REDIS_URL": own_redis.url}, upstream.base_url)
    with LiveServer(env) as server:  # gunicorn: what was an empty-body 500 is now a clean, terminated stream
        headers = {**user.headers, "Connection": "close"}  # no keep-alive to wait for when gunicorn stops
        response = requests.post(f"{server.url}/api/workflows/run", headers=headers, stream=True, timeout=30,
                                 json={"inputs": {name: 1 for name in user.variables}, "response_mode": "streaming"})
        assert response.status_code == 200
        with closing(response):
            got = _read_restarting(response.iter_content(chunk_size=None), own_redis,
                                   lambda f: f.name == "workflow_queued")
    assert got[-1].name == "workflow_finished", [f.name for f in got]
    finished = got[-1].data["data"]
    assert finished["status"] == "failed" and "queued job is gone" in finished["error"], finished
    assert run_status(app, finished["id"]) == "failed"


def test_redis_restarted_mid_run_the_stream_still_ends_with_the_outcome(
        app, caller, own_redis, start_worker, upstream):
    upstream.default = lambda body: Reply(text="r" * 40, chunk_size=2, pace=0.05)
    user = caller(SLOW_APP)
    start_worker()
    got = _read_restarting(user.run("hello").response, own_redis,
                           lambda f: f.name == "node_started" and f.data["data"]["node_type"] == "llm",
                           down_for=OUTAGE)
    assert got[-1].name == "workflow_finished", [f.name for f in got]
    finished = got[-1].data["data"]
    assert finished["status"] == "succeeded" and finished["outputs"], finished
    run = stored_run(app, finished["id"])
    assert run.status == "succeeded" and run.outputs == finished["outputs"]


def test_resume_after_redis_lost_the_log_answers_the_outcome_from_the_database(
        app, client, caller, own_redis, start_worker):
    user = caller(QUICK_APP)
    start_worker()
    body = user.run(0, mode="blocking").get_json()
    assert body["data"]["status"] == "succeeded", body
    own_redis.restart()
    resumed = user.resume(body["task_id"])
    got = run_events([resumed.data])
    assert resumed.status_code == 200 and [f.name for f in got] == ["workflow_finished"]
    assert got[0].data["data"]["status"] == "succeeded" and got[0].data["data"]["outputs"] == body["data"]["outputs"]
    stranger = auth_headers(user.code, passport(client, user.code))
    assert user.resume(body["task_id"], stranger).status_code == 404


def test_chatflow_resume_after_redis_lost_the_log_ends_the_turn_from_the_database(
        app, client, runner, own_redis, start_worker, upstream):
    upstream.default = lambda body: Reply(text="kept answer", chunk_size=4)
    user = Caller(client, runner, CHAT_APP)
    start_worker()
    turn = run_events(client.post("/api/chat-messages", headers=user.headers, buffered=False,
                                  json={"inputs": {}, "query": "make a page", "response_mode": "streaming"}).response)
    assert turn[-1].name == "message_end", [f.name for f in turn]
    own_redis.restart()
    task_id = turn[-1].data["task_id"]
    got = run_events([client.get(f"/api/chat-messages/{task_id}/events", headers=user.headers).data])
    assert [f.name for f in got] == ["workflow_finished", "message_end"]
    assert got[0].data["data"]["status"] == "succeeded" and got[1].data["id"] == turn[-1].data["id"]
