"""POST /api/workflows/run and chatflow turns: enqueued, run by a real RQ worker, streamed live."""
from __future__ import annotations

import time

from api.extensions import db
from models import Message, WorkflowNodeExecution, WorkflowRun
from tests.conftest import DSL_SAMPLES
from tests.factories import auth_headers, passport
from tests.support.fake_openai import Reply
from tests.support.sse import frames, run_events


def _import(runner, name):
    result = runner.invoke(args=["apps", "import", str(DSL_SAMPLES / name)])
    assert result.exit_code == 0, result.output
    return result.output.split("code=")[1].split()[0]


def _run(client, code, token, inputs, **body):
    return client.post("/api/workflows/run", headers=auth_headers(code, token), buffered=False,
                       json={"inputs": inputs, "response_mode": "streaming", **body})


def test_workflow_streams_node_events_and_stores_the_run(app, client, runner, worker):
    code = _import(runner, "dify-fx-dual-switch-aggregator.yml")
    token = passport(client, code)
    form = client.get("/api/parameters", headers=auth_headers(code, token)).get_json()["user_input_form"]
    inputs = {next(iter(f.values()))["variable"]: 1 for f in form}
    got = run_events(_run(client, code, token, inputs).response)
    names = [f.name for f in got]
    assert names[0] == "workflow_started" and names[-1] == "workflow_finished"
    assert "node_started" in names and "node_finished" in names
    finished = got[-1].data["data"]
    assert finished["status"] == "succeeded" and finished["outputs"], finished
    assert [int(f.event_id.split(":")[1]) for f in got] == list(range(1, len(got) + 1))
    with app.app_context():
        run = db.session.get(WorkflowRun, got[0].data["workflow_run_id"])
        assert run.status == "succeeded" and run.outputs == finished["outputs"]
        nodes = db.session.execute(db.select(WorkflowNodeExecution).filter_by(workflow_run_id=run.id)).all()
        assert len(nodes) == names.count("node_finished")


def test_blocking_workflow_and_wrong_mode(app, client, runner, worker):
    code = _import(runner, "dify-fx-dual-switch-aggregator.yml")
    token = passport(client, code)
    form = client.get("/api/parameters", headers=auth_headers(code, token)).get_json()["user_input_form"]
    inputs = {next(iter(f.values()))["variable"]: 0 for f in form}
    body = client.post("/api/workflows/run", headers=auth_headers(code, token),
                       json={"inputs": inputs, "response_mode": "blocking"}).get_json()
    assert body["data"]["status"] == "succeeded" and body["task_id"] and body["workflow_run_id"]
    chat = client.post("/api/chat-messages", headers=auth_headers(code, token),
                       json={"inputs": {}, "query": "q"})
    assert chat.status_code == 400 and chat.get_json()["code"] == "not_chat_app"


def test_stop_a_running_workflow_and_resume_its_events(app, client, runner, worker, upstream):
    upstream.default = lambda body: Reply(text="t" * 300, chunk_size=2, pace=0.02)
    code = _import(runner, "awesome-translation-workflow.yml")
    token = passport(client, code)
    form = client.get("/api/parameters", headers=auth_headers(code, token)).get_json()["user_input_form"]
    inputs = {next(iter(f.values()))["variable"]: "hello" for f in form}
    response = _run(client, code, token, inputs)
    seen = []
    for frame in frames(response.response):
        if frame.data and frame.name != "workflow_queued":
            seen.append(frame)
        if len([f for f in seen if f.name == "text_chunk"]) >= 3:
            break
    response.close()
    task_id = seen[0].data["task_id"]
    stopped_at = time.monotonic()
    client.post(f"/api/workflows/tasks/{task_id}/stop", headers=auth_headers(code, token))
    resumed = client.get(f"/api/workflow/{task_id}/events",
                         headers={**auth_headers(code, token), "Last-Event-ID": seen[-1].event_id})
    after = run_events([resumed.data])
    assert time.monotonic() - stopped_at < 5
    seqs = [int(f.event_id.split(":")[1]) for f in seen + after]
    assert seqs == list(range(1, len(seqs) + 1)), "no event lost or duplicated"
    assert after[-1].name == "workflow_finished" and after[-1].data["data"]["status"] == "stopped"


def test_stopped_run_reports_the_time_and_tokens_spent_before_the_stop(app, client, runner, worker, upstream):
    upstream.script(Reply(text="quick answer"))  # the first LLM finishes; the stop lands in the second
    upstream.default = lambda body: Reply(text="t" * 300, chunk_size=2, pace=0.05)
    code = _import(runner, "awesome-translation-workflow.yml")
    token = passport(client, code)
    form = client.get("/api/parameters", headers=auth_headers(code, token)).get_json()["user_input_form"]
    response = _run(client, code, token, {next(iter(f.values()))["variable"]: "hi" for f in form})
    llm_nodes, finished = 0, None
    for frame in frames(response.response):
        if frame.name == "node_started" and frame.data["data"]["node_type"] == "llm":
            llm_nodes += 1
            if llm_nodes == 2:
                client.post(f"/api/workflows/tasks/{frame.data['task_id']}/stop",
                            headers=auth_headers(code, token))
        if frame.name == "workflow_finished":
            finished = frame.data["data"]
            break
    assert finished and finished["status"] == "stopped", finished
    assert finished["elapsed_time"] > 0 and finished["total_tokens"] > 0 and finished["total_steps"] >= 3, finished
    with app.app_context():
        run = db.session.get(WorkflowRun, finished["id"])
        stored = (round(run.elapsed_time, 4), run.total_tokens, run.total_steps)
    assert stored == (finished["elapsed_time"], finished["total_tokens"], finished["total_steps"])


def test_worker_killed_mid_run_fails_the_run(app, client, runner, worker, upstream):
    upstream.default = lambda body: Reply(text="k" * 400, chunk_size=2, pace=0.05)
    code = _import(runner, "awesome-translation-workflow.yml")
    token = passport(client, code)
    form = client.get("/api/parameters", headers=auth_headers(code, token)).get_json()["user_input_form"]
    inputs = {next(iter(f.values()))["variable"]: "hello" for f in form}
    response = _run(client, code, token, inputs)
    got = []
    killed_at = None
    for frame in frames(response.response):
        got.append(frame)
        if frame.name == "text_chunk" and killed_at is None:
            worker.kill()
            killed_at = time.monotonic()
    assert killed_at and time.monotonic() - killed_at < 12
    finished = [f for f in got if f.data][-1].data
    assert finished["event"] == "workflow_finished" and finished["data"]["status"] == "failed"
    assert "worker" in finished["data"]["error"]
    with app.app_context():
        assert db.session.get(WorkflowRun, finished["workflow_run_id"]).status == "failed"


def test_chatflow_turn_streams_messages_and_saves_the_answer(app, client, runner, worker, upstream):
    upstream.default = lambda body: Reply(text="chatflow answer", chunk_size=4)
    code = _import(runner, "awesome-artifact.yml")
    token = passport(client, code)
    response = client.post("/api/chat-messages", headers=auth_headers(code, token), buffered=False,
                           json={"inputs": {}, "query": "make a page", "response_mode": "streaming"})
    got = run_events(response.response)
    names = [f.name for f in got]
    assert names[0] == "workflow_started" and names[-1] == "message_end" and "workflow_finished" in names
    answer = "".join(f.data["answer"] for f in got if f.name == "message")
    assert answer == "chatflow answer"
    with app.app_context():
        message = db.session.get(Message, got[-1].data["id"])
        assert message.answer == answer and message.status == "normal"


def test_blocking_chatflow_turn_answers_with_the_message_shape(app, client, runner, worker, upstream):
    """Spec §4: a blocking chat-family turn is the message body, chatflows included (not the workflow body)."""
    upstream.default = lambda body: Reply(text="chatflow answer", chunk_size=4)
    code = _import(runner, "awesome-artifact.yml")
    token = passport(client, code)
    response = client.post("/api/chat-messages", headers=auth_headers(code, token),
                           json={"inputs": {}, "query": "make a page", "response_mode": "blocking"})
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["event"] == "message" and body["mode"] == "advanced-chat", body
    assert body["answer"] == "chatflow answer" and body["id"] == body["message_id"] and body["conversation_id"]
    assert body["metadata"] == {"retriever_resources": []}
    with app.app_context():
        assert db.session.get(Message, body["id"]).answer == "chatflow answer"
