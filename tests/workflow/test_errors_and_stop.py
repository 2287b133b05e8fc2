"""Error strategies, retries with node_retry, and stopping between nodes and mid-stream."""
import threading
import time

from core.workflow import STOPPED_BY_USER, RunContext, run_graph
from tests.support.fake_openai import Reply
from tests.workflow.support import Recorder, code, edge, end, graph, llm, run, settings_for, start, template

BOOM = "def main():\n    raise ValueError('boom')\n"


def test_fail_branch_routes_to_the_error_handler():
    failing = {**code("c", BOOM, {"result": "string"})}
    failing["data"]["error_strategy"] = "fail-branch"
    handler = template("handler", "handled: {{ e }}", e=["c", "error_message"])
    nodes = [start(), failing, template("ok", "fine"), handler,
             end(out=["handler", "output"], ok=["ok", "output"])]
    edges = [edge("start", "c"), edge("c", "ok"), edge("c", "handler", "fail-branch"), edge("ok", "end"),
             edge("handler", "end")]

    result, events = run(graph(nodes, edges))

    assert result.status == "partial-succeeded" and result.exceptions_count == 1
    assert result.outputs == {"out": "handled: ValueError: boom", "ok": None}
    finished = events.finished("c")
    assert finished["status"] == "exception" and finished["outputs"]["error_type"] == "CodeRuntimeError"


def test_default_value_replaces_outputs():
    failing = code("c", BOOM, {"result": "string", "count": "number"})
    failing["data"].update(error_strategy="default-value", default_value=[
        {"key": "result", "type": "string", "value": "fallback"}, {"key": "count", "type": "number", "value": "3"}])
    nodes = [start(), failing, end(out=["c", "result"], count=["c", "count"], why=["c", "error_message"])]

    result, _ = run(graph(nodes, [edge("start", "c"), edge("c", "end")]))

    assert result.status == "partial-succeeded"
    assert result.outputs == {"out": "fallback", "count": 3, "why": "ValueError: boom"}


def test_failure_without_strategy_fails_the_run_and_skips_the_rest():
    nodes = [start(), code("c", BOOM, {"result": "string"}), end(out=["c", "result"])]

    result, events = run(graph(nodes, [edge("start", "c"), edge("c", "end")]))

    assert result.status == "failed" and result.error == "ValueError: boom"
    assert [d["node_id"] for d in events.of("node_started")] == ["start", "c"]


def test_retries_emit_node_retry_then_succeed(fake_llm):
    fake_llm.script(Reply(status=400, error_message="bad 1"), Reply(status=400, error_message="bad 2"),
                    Reply(text="ok"))
    flaky = llm("l", "hello", retry_config={"retry_enabled": True, "max_retries": 3, "retry_interval": 20})
    nodes = [start(), flaky, end(out=["l", "text"])]

    result, events = run(graph(nodes, [edge("start", "l"), edge("l", "end")]), llm_settings_for=settings_for(fake_llm))

    assert result.status == "succeeded" and result.outputs == {"out": "ok"}
    retries = events.of("node_retry")
    assert [r["retry_index"] for r in retries] == [1, 2]
    assert [r["error"] for r in retries] == ["bad 1", "bad 2"] and all(r["status"] == "retry" for r in retries)
    assert len({r["id"] for r in retries} | {events.finished("l")["id"]}) == 1


def test_retries_exhausted_fail_the_node(fake_llm):
    fake_llm.script(Reply(status=400, error_message="no"), Reply(status=400, error_message="still no"))
    flaky = llm("l", "hello", retry_config={"retry_enabled": True, "max_retries": 1, "retry_interval": 0})
    nodes = [start(), flaky, end(out=["l", "text"])]

    result, events = run(graph(nodes, [edge("start", "l"), edge("l", "end")]), llm_settings_for=settings_for(fake_llm))

    assert result.status == "failed" and result.error == "still no"
    assert len(events.of("node_retry")) == 1


def test_stop_between_nodes():
    stop = threading.Event()
    nodes = [start(), template("a", "A"), template("b", "B"), end(out=["b", "output"])]

    def emit_and_stop(event, data):
        if event == "node_finished" and data["node_id"] == "a":
            stop.set()

    result, events = _run_with_hook(nodes, stop, emit_and_stop)

    assert result.status == "stopped" and result.error == STOPPED_BY_USER
    assert "b" not in [d["node_id"] for d in events.of("node_started")]


def _run_with_hook(nodes, stop, hook, **ctx_fields):
    """Run a chain of ``nodes``; ``hook(event, data)`` sees every event; ``stop`` is should_stop."""
    recorder = Recorder()

    def emit(event, data):
        recorder(event, data)
        hook(event, data)

    ctx = RunContext(emit=emit, should_stop=stop.is_set, **ctx_fields)
    edges = [edge(a["id"], b["id"]) for a, b in zip(nodes, nodes[1:])]
    return run_graph(graph(nodes, edges), {}, {}, ctx), recorder


def test_stop_inside_a_streaming_llm_call(fake_llm):
    fake_llm.script(Reply(text="x" * 400, chunk_size=1, pace=0.02))
    stop = threading.Event()
    nodes = [start(), llm("l", "talk"), end(out=["l", "text"])]

    def stop_after_first_chunk(event, data):
        if event == "text_chunk":
            stop.set()

    began = time.monotonic()
    result, events = _run_with_hook(nodes, stop, stop_after_first_chunk, llm_settings_for=settings_for(fake_llm))
    elapsed = time.monotonic() - began

    assert result.status == "stopped" and result.error == STOPPED_BY_USER
    assert elapsed < 1.5  # the whole reply would take 8 s
    assert events.finished("l")["status"] == "stopped"
    assert fake_llm.wait_for_disconnect(timeout=2)


def test_stop_while_the_model_has_not_answered_yet(fake_llm):
    fake_llm.script(Reply(text="late", hang=True))
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    nodes = [start(), llm("l", "talk"), end(out=["l", "text"])]
    began = time.monotonic()

    result, _ = run(graph(nodes, [edge("start", "l"), edge("l", "end")]), should_stop=stop.is_set,
                    llm_settings_for=settings_for(fake_llm))

    assert result.status == "stopped"
    assert time.monotonic() - began < 1.2


def test_stop_kills_a_running_code_node():
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    sleepy = code("c", "import time\ndef main():\n    time.sleep(5)\n    return {'x': 1}\n", {"x": "number"})
    began = time.monotonic()

    result, events = run(graph([start(), sleepy], [edge("start", "c")]), should_stop=stop.is_set)

    assert result.status == "stopped" and time.monotonic() - began < 1.5
    assert events.finished("c")["status"] == "stopped"
