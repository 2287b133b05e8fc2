"""Bounds in runs on a real RQ worker: NUL characters in node outputs (PostgreSQL refuses them) are cleaned
before storing and streaming; the template limits come from the worker's configuration."""
from __future__ import annotations

import time

from api.extensions import db
from models import Message, WorkflowNodeExecution, WorkflowRun
from tests.factories import auth_headers, make_app, passport
from tests.support.fake_openai import Reply
from tests.support.rq_worker import RQWorker, worker_env
from tests.support.sse import frames
from tests.workflow.support import code, edge, end, graph, llm, node, start, template

NUL_CODE = "def main():\n    return {'text': 'a\\x00b', 'items': ['c\\x00d']}\n"


def _workflow(app, mode: str, nodes: list, edges: list) -> str:
    return make_app(app, mode=mode, workflow={"graph": graph(nodes, edges)})["code"]


def test_nul_in_a_code_node_output_is_cleaned_and_the_run_succeeds(app, client, worker):
    nodes = [start(), code("c", NUL_CODE, {"text": "string", "items": "array[string]"}),
             end(text=["c", "text"], items=["c", "items"])]
    code_ = _workflow(app, "workflow", nodes, [edge("start", "c"), edge("c", "end")])
    response = client.post("/api/workflows/run", headers=auth_headers(code_, passport(client, code_)),
                           json={"inputs": {}, "response_mode": "streaming"}, buffered=False)
    got = [f for f in frames(response.response) if f.data]
    finished = got[-1].data["data"]
    assert got[-1].name == "workflow_finished" and finished["status"] == "succeeded", finished
    assert finished["outputs"] == {"text": "ab", "items": ["cd"]}
    with app.app_context():
        run = db.session.get(WorkflowRun, got[0].data["workflow_run_id"])
        assert run.status == "succeeded" and run.outputs == {"text": "ab", "items": ["cd"]}
        row = db.session.execute(db.select(WorkflowNodeExecution).filter_by(workflow_run_id=run.id, node_id="c"))
        assert row.scalar_one().outputs == {"text": "ab", "items": ["cd"]}


def test_nul_in_streamed_llm_text_is_cleaned_in_events_and_the_saved_answer(app, client, worker, upstream):
    upstream.default = lambda body: Reply(text="he\x00llo wor\x00ld", chunk_size=3)
    nodes = [start(), llm("l", "hi"), node("answer", "answer", answer="{{#l.text#}}")]
    code_ = _workflow(app, "advanced-chat", nodes, [edge("start", "l"), edge("l", "answer")])
    response = client.post("/api/chat-messages", headers=auth_headers(code_, passport(client, code_)), buffered=False,
                           json={"inputs": {}, "query": "hi", "response_mode": "streaming"})
    got = [f for f in frames(response.response) if f.data]
    assert got[-1].name == "message_end", [f.name for f in got]
    answer = "".join(f.data["answer"] for f in got if f.name == "message")
    assert answer == "hello world"
    with app.app_context():
        message = db.session.get(Message, got[-1].data["id"])
        assert message.answer == "hello world" and message.status == "normal"


def test_template_limits_come_from_the_worker_configuration(app, client, backend_settings):
    nodes = [start(), template("t", "{% for i in range(100) %}x{% endfor %}"), end(out=["t", "output"])]
    code_ = _workflow(app, "workflow", nodes, [edge("start", "t"), edge("t", "end")])
    headers = auth_headers(code_, passport(client, code_))
    with RQWorker(worker_env(backend_settings, TEMPLATE_TRANSFORM_MAX_LENGTH=20)):
        began = time.monotonic()
        body = client.post("/api/workflows/run", headers=headers,
                           json={"inputs": {}, "response_mode": "blocking"}).get_json()
    assert body["data"]["status"] == "failed" and body["data"]["error"] == "Output length exceeds 20 characters"
    assert time.monotonic() - began < 20
