"""text_chunk streaming: template order, live LLM tokens, several answers, end nodes in workflows."""
from tests.support.fake_openai import Reply
from tests.workflow.support import edge, end, graph, llm, node, run, settings_for, start, template


def _answer(node_id: str, text: str) -> dict:
    return node(node_id, "answer", answer=text)


def _index(events, name: str, node_id: str | None = None) -> int:
    return next(i for i, (n, d, _) in enumerate(events.events)
                if n == name and (node_id is None or d.get("node_id") == node_id))


def test_answer_streams_prefix_then_live_tokens_then_suffix(fake_llm):
    fake_llm.script(Reply(text="streamed words", chunk_size=3, pace=0.01))
    nodes = [start(), template("t", "T"), llm("l", "hi"),
             _answer("a", "Before {{#t.output#}}: {{#l.text#}} after {{#sys.query#}}.")]
    edges = [edge("start", "t"), edge("t", "l"), edge("l", "a")]

    result, events = run(graph(nodes, edges), system={"query": "Q"}, mode="advanced-chat",
                         llm_settings_for=settings_for(fake_llm))

    assert result.status == "succeeded", result.error
    assert events.text() == "Before T: streamed words after Q." == result.answer
    chunks = events.of("text_chunk")
    assert chunks[0] == {"text": "Before ", "from_variable_selector": ["a", "answer"]}
    assert chunks[1] == {"text": "T", "from_variable_selector": ["t", "output"]}
    live = [c for c in chunks if c["from_variable_selector"] == ["l", "text"]]
    assert "".join(c["text"] for c in live) == "streamed words" and len(live) > 2
    assert _index(events, "text_chunk") < _index(events, "node_finished", "l")  # prefix before the LLM ended
    assert _index(events, "node_finished", "a") > _index(events, "text_chunk") and chunks[-1]["text"] == "."


def test_second_answer_waits_for_the_first(fake_llm):
    fake_llm.script(Reply(text="one", pace=0.01, chunk_size=1), Reply(text="two", pace=0.01, chunk_size=1))
    nodes = [start(), llm("l1", "a"), _answer("a1", "[{{#l1.text#}}]"), llm("l2", "b"),
             _answer("a2", "<{{#l2.text#}}>")]
    edges = [edge("start", "l1"), edge("l1", "a1"), edge("a1", "l2"), edge("l2", "a2")]

    result, events = run(graph(nodes, edges), mode="advanced-chat", llm_settings_for=settings_for(fake_llm))

    assert events.text() == "[one]<two>" and result.outputs == {"answer": "[one]<two>"}


def test_parallel_llms_in_one_answer_keep_template_order(fake_llm):
    def reply(body):
        prompt = body["messages"][-1]["content"]
        return Reply(text=prompt.upper(), chunk_size=1, pace=0.03 if prompt == "first" else 0.0)
    fake_llm.default = reply
    nodes = [start(), llm("l1", "first"), llm("l2", "second"), _answer("a", "{{#l1.text#}} | {{#l2.text#}}")]
    edges = [edge("start", "l1"), edge("start", "l2"), edge("l1", "a"), edge("l2", "a")]

    result, events = run(graph(nodes, edges), mode="advanced-chat", llm_settings_for=settings_for(fake_llm))

    assert result.status == "succeeded", result.error
    assert events.text() == "FIRST | SECOND"


def test_answer_behind_a_branch_is_not_streamed_early(fake_llm):
    fake_llm.script(Reply(text="secret", chunk_size=1))
    cases = [{"case_id": "go", "conditions": [{"variable_selector": ["start", "x"], "comparison_operator": "is",
                                               "value": "yes"}]}]
    nodes = [start("start", "x"), llm("l", "hi"), node("if", "if-else", cases=cases),
             _answer("shown", "{{#l.text#}}"), _answer("other", "nothing")]
    edges = [edge("start", "l"), edge("l", "if"), edge("if", "shown", "go"), edge("if", "other", "false")]

    result, events = run(graph(nodes, edges), {"x": "no"}, mode="advanced-chat",
                         llm_settings_for=settings_for(fake_llm))

    assert events.text() == "nothing" and result.answer == "nothing"


def test_workflow_end_node_streams_llm_text(fake_llm):
    fake_llm.script(Reply(text="final text", chunk_size=2, pace=0.01))
    nodes = [start(), llm("l", "hi"), template("t", "ignored"), end(result=["l", "text"], other=["t", "output"])]
    edges = [edge("start", "l"), edge("l", "t"), edge("t", "end")]

    result, events = run(graph(nodes, edges), llm_settings_for=settings_for(fake_llm))

    assert result.outputs == {"result": "final text", "other": "ignored"}
    assert events.text() == "final text"
    assert all(c["from_variable_selector"] == ["l", "text"] for c in events.of("text_chunk"))
    assert _index(events, "text_chunk") < _index(events, "node_finished", "l")


def test_conversation_variable_is_rendered_when_the_answer_runs():
    nodes = [start(), node("set", "assigner", version="2", items=[
        {"variable_selector": ["conversation", "name"], "operation": "set", "input_type": "constant", "value": "new"}]),
        _answer("a", "name={{#conversation.name#}}")]

    result, events = run(graph(nodes, [edge("start", "set"), edge("set", "a")]), mode="advanced-chat",
                         conversation_variables={"name": "old"})

    assert events.text() == "name=new" and result.conversation_variables == {"name": "new"}
