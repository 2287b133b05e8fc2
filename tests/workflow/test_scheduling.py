"""Traversal: real parallelism, joins, skip propagation through untaken branches, step limits."""
import time

from core.workflow import Limits
from tests.support.fake_openai import Reply
from tests.workflow.support import code, edge, end, graph, llm, node, run, settings_for, start, template

SLEEP = "import time\ndef main():\n    time.sleep({s})\n    return {{'done': '{name}'}}\n"


def _sleeper(node_id: str, seconds: float) -> dict:
    return code(node_id, SLEEP.format(s=seconds, name=node_id), {"done": "string"})


def _span(events, node_id: str) -> tuple[float, float]:
    started = next(t for n, d, t in events.events if n == "node_started" and d["node_id"] == node_id)
    finished = next(t for n, d, t in events.events if n == "node_finished" and d["node_id"] == node_id)
    return started, finished


def test_parallel_code_branches_overlap_and_join_waits_for_both():
    nodes = [start(), _sleeper("a", 0.6), _sleeper("b", 0.6), _sleeper("c", 0.6),
             template("join", "{{ a }}+{{ b }}+{{ c }}", a=["a", "done"], b=["b", "done"], c=["c", "done"]),
             end(out=["join", "output"])]
    edges = [edge("start", "a"), edge("start", "b"), edge("start", "c"),
             edge("a", "join"), edge("b", "join"), edge("c", "join"), edge("join", "end")]
    began = time.monotonic()

    result, events = run(graph(nodes, edges))

    assert result.status == "succeeded", result.error
    assert result.outputs == {"out": "a+b+c"}
    assert time.monotonic() - began < 1.5  # sequential would take 1.8 s plus process start-ups
    spans = [_span(events, n) for n in "abc"]
    assert max(s for s, _ in spans) < min(f for _, f in spans)  # all three were running at once
    join_started, _ = _span(events, "join")
    assert join_started >= max(f for _, f in spans)
    assert len(events.of("node_started")) == 6


def test_parallel_llm_branches_overlap(fake_llm):
    fake_llm.script(Reply(text="one", first_byte_delay=0.5), Reply(text="two", first_byte_delay=0.5))
    nodes = [start(), llm("l1", "first"), llm("l2", "second"),
             template("join", "{{ x }} {{ y }}", x=["l1", "text"], y=["l2", "text"]), end(out=["join", "output"])]
    edges = [edge("start", "l1"), edge("start", "l2"), edge("l1", "join"), edge("l2", "join"), edge("join", "end")]
    began = time.monotonic()

    result, _ = run(graph(nodes, edges), llm_settings_for=settings_for(fake_llm))

    assert result.status == "succeeded", result.error
    assert sorted(result.outputs["out"].split()) == ["one", "two"]
    assert time.monotonic() - began < 0.9


def test_join_does_not_wait_for_a_pruned_chain():
    nodes = [start("start", "flag"),
             node("if", "if-else", cases=[{"case_id": "yes", "logical_operator": "and", "conditions": [
                 {"variable_selector": ["start", "flag"], "comparison_operator": "is", "value": "on"}]}]),
             template("x", "X"), template("y", "Y {{ v }}", v=["x", "output"]), template("z", "Z"),
             node("agg", "variable-aggregator", variables=[["y", "output"], ["z", "output"]]),
             end(out=["agg", "output"], y=["y", "output"])]
    edges = [edge("start", "if"), edge("if", "x", "false"), edge("x", "y"), edge("if", "z", "yes"),
             edge("y", "agg"), edge("z", "agg"), edge("agg", "end")]

    on, events_on = run(graph(nodes, edges), {"flag": "on"})
    off, _ = run(graph(nodes, edges), {"flag": "off"})

    assert on.status == off.status == "succeeded"
    assert on.outputs == {"out": "Z", "y": None}
    assert off.outputs == {"out": "Y X", "y": "Y X"}
    assert {d["node_id"] for d in events_on.of("node_started")} == {"start", "if", "z", "agg", "end"}


def test_node_events_carry_index_and_predecessor():
    nodes = [start(), template("t", "hi"), end(out=["t", "output"])]
    result, events = run(graph(nodes, [edge("start", "t"), edge("t", "end")]))

    started = events.of("node_started")
    assert [d["index"] for d in started] == [1, 2, 3]
    assert [d["predecessor_node_id"] for d in started] == [None, "start", "t"]
    finished = events.finished("t")
    assert finished["id"] == started[1]["id"] and finished["status"] == "succeeded"
    assert finished["outputs"] == {"output": "hi"} and finished["elapsed_time"] >= 0
    assert [e["node_id"] for e in result.node_executions] == ["start", "t", "end"]


def test_max_steps_fails_the_run():
    nodes = [start()] + [template(f"t{i}", str(i)) for i in range(4)] + [end(out=["t3", "output"])]
    ids = [n["id"] for n in nodes]
    edges = [edge(a, b) for a, b in zip(ids, ids[1:])]

    result, events = run(graph(nodes, edges), limits=Limits(max_steps=3))

    assert result.status == "failed" and result.error == "Max steps 3 reached."
    assert len(events.of("node_started")) == 3


def test_parallel_iteration_overlaps_and_keeps_order():
    body_code = "import time\ndef main(x):\n    time.sleep(0.4)\n    return {'y': x * 10}\n"
    nodes = [start(), code("items", "def main():\n    return {'list': [1, 2, 3, 4]}\n", {"list": "array[number]"}),
             node("it", "iteration", iterator_selector=["items", "list"], output_selector=["double", "y"],
                  is_parallel=True, parallel_nums=4, start_node_id="it-start"),
             {"id": "it-start", "parentId": "it", "data": {"type": "iteration-start", "title": ""}},
             {**code("double", body_code, {"y": "number"}, x=["it", "item"]), "parentId": "it"},
             end(out=["it", "output"])]
    edges = [edge("start", "items"), edge("items", "it"), edge("it-start", "double"), edge("it", "end")]
    began = time.monotonic()

    result, events = run(graph(nodes, edges))

    assert result.status == "succeeded", result.error
    assert result.outputs == {"out": [10, 20, 30, 40]}
    assert time.monotonic() - began < 1.4  # 4 x 0.4 s sequentially
    assert sorted(d["index"] for d in events.of("iteration_next")) == [0, 1, 2, 3]
