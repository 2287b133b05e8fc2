"""assigner, tool, parameter-extractor, question-classifier, aggregator and template-transform nodes."""
import pytest

from core.workflow.errors import NodeError
from core.workflow.nodes.assigner import apply
from tests.support.fake_openai import Reply
from tests.workflow.support import edge, end, graph, message_text, node, run, settings_for, start, template


@pytest.mark.parametrize("operation, current, operand, expected", [
    ("over-write", "a", "b", "b"), ("set", 1, 2, 2), ("clear", "text", None, ""), ("clear", [1], None, []),
    ("clear", {"a": 1}, None, {}), ("clear", 5, None, 0), ("append", [1], 2, [1, 2]), ("append", None, "x", ["x"]),
    ("extend", [1], [2, 3], [1, 2, 3]), ("+=", 1, 2, 3), ("-=", 5, 2, 3), ("*=", 2, 2.5, 5.0), ("/=", 9, 3, 3.0),
    ("remove-first", [1, 2], None, [2]), ("remove-last", [1, 2], None, [1]),
])
def test_assigner_operations(operation, current, operand, expected):
    assert apply(operation, current, operand) == expected


def test_assigner_rejects_bad_arithmetic():
    with pytest.raises(NodeError):
        apply("+=", "a", 1)
    with pytest.raises(NodeError):
        apply("/=", 1, 0)


def test_assigner_v1_and_v2_write_conversation_variables():
    v1 = node("v1", "assigner", assigned_variable_selector=["conversation", "log"], write_mode="append",
              input_variable_selector=["sys", "query"])
    v2 = node("v2", "assigner", version="2", items=[
        {"variable_selector": ["conversation", "count"], "operation": "+=", "input_type": "constant", "value": 2},
        {"variable_selector": ["conversation", "last"], "operation": "over-write", "input_type": "variable",
         "value": ["sys", "query"]}])
    nodes = [start(), v1, v2, end(count=["conversation", "count"])]

    result, _ = run(graph(nodes, [edge("start", "v1"), edge("v1", "v2"), edge("v2", "end")]), system={"query": "hi"},
                    conversation_variables={"log": ["old"], "count": 1, "last": ""})

    assert result.status == "succeeded", result.error
    assert result.conversation_variables == {"log": ["old", "hi"], "count": 3, "last": "hi"}
    assert result.outputs == {"count": 3}


def test_assigner_refuses_non_conversation_targets():
    bad = node("bad", "assigner", version="2", items=[
        {"variable_selector": ["start", "x"], "operation": "set", "input_type": "constant", "value": 1}])
    result, _ = run(graph([start(), bad], [edge("start", "bad")]))
    assert result.status == "failed" and "Only conversation variables" in result.error


def test_tool_node_calls_the_injected_mcp_client():
    calls = []

    def call_tool(provider_id, tool_name, arguments):
        calls.append((provider_id, tool_name, arguments))
        return {"text": "42 results", "json": [{"count": 42}]}

    tool = node("tool", "tool", provider_id="mcp-1", provider_type="mcp", tool_name="search",
                tool_configurations={"limit": 3},
                tool_parameters={"query": {"type": "mixed", "value": "find {{#sys.query#}}"},
                                 "raw": {"type": "variable", "value": ["sys", "query"]},
                                 "fixed": {"type": "constant", "value": True}})
    nodes = [start(), tool, end(text=["tool", "text"], json=["tool", "json"])]

    result, _ = run(graph(nodes, [edge("start", "tool"), edge("tool", "end")]), system={"query": "cats"},
                    call_tool=call_tool)

    assert result.status == "succeeded", result.error
    assert calls == [("mcp-1", "search", {"limit": 3, "query": "find cats", "raw": "cats", "fixed": True})]
    assert result.outputs == {"text": "42 results", "json": [{"count": 42}]}


def test_tool_node_without_mcp_client_or_with_a_failing_one():
    tool = node("tool", "tool", provider_id="p", tool_name="t", tool_parameters={})
    missing, _ = run(graph([start(), tool], [edge("start", "tool")]))
    assert missing.status == "failed" and missing.error == "MCP tools are not available on this server"

    def broken(*args):
        raise ConnectionError("server gone")
    failed, _ = run(graph([start(), tool], [edge("start", "tool")]), call_tool=broken)
    assert failed.status == "failed" and failed.error == "Tool 't' failed: server gone"


def _extractor_graph() -> dict:
    extractor = node("px", "parameter-extractor", query=["sys", "query"], instruction="Be exact.",
                     model={"provider": "openai", "name": "gpt-fake", "mode": "chat"}, reasoning_mode="prompt",
                     parameters=[{"name": "city", "type": "string", "required": True, "description": "a city"},
                                 {"name": "days", "type": "number", "required": False},
                                 {"name": "unit", "type": "select", "options": ["C", "F"], "required": False}])
    nodes = [start(), extractor, end(city=["px", "city"], days=["px", "days"], unit=["px", "unit"],
                                     ok=["px", "__is_success"], why=["px", "__reason"])]
    return graph(nodes, [edge("start", "px"), edge("px", "end")])


def test_parameter_extractor_parses_fenced_json(fake_llm):
    fake_llm.script(Reply(text='Sure!\n```json\n{"city": "Paris", "days": "3", "unit": "K",}\n```'))

    result, _ = run(_extractor_graph(), system={"query": "Paris for 3 days"}, llm_settings_for=settings_for(fake_llm))

    assert result.outputs == {"city": "Paris", "days": 3, "unit": "", "ok": 1, "why": None}
    sent = fake_llm.requests[0].body
    assert '"city"' in message_text(sent, "system") and "Be exact." in message_text(sent, "system")
    assert message_text(sent, "user") == "Paris for 3 days"


def test_parameter_extractor_reports_missing_required(fake_llm):
    fake_llm.script(Reply(text="I could not find anything."))
    result, _ = run(_extractor_graph(), system={"query": "?"}, llm_settings_for=settings_for(fake_llm))
    assert result.status == "succeeded"
    assert result.outputs["ok"] == 0 and result.outputs["city"] == "" and "JSON" in result.outputs["why"]


@pytest.mark.parametrize("reply, chosen", [
    ('{"category_id": "b", "category_name": "Billing"}', "billing"),
    ('{"category_name": "tech support"}', "tech"),
    ("It is about Billing, clearly.", "billing"),
    ("no idea", "tech"),
])
def test_question_classifier_routes_by_class_id(fake_llm, reply, chosen):
    fake_llm.script(Reply(text=reply))
    classes = [{"id": "t", "name": "Tech support"}, {"id": "b", "name": "Billing"}]
    qc = node("qc", "question-classifier", classes=classes, query_variable_selector=["sys", "query"],
              model={"provider": "openai", "name": "gpt-fake", "mode": "chat"})
    nodes = [start(), qc, template("tech", "tech"), template("billing", "billing"),
             node("agg", "variable-aggregator", variables=[["tech", "output"], ["billing", "output"]]),
             end(out=["agg", "output"], name=["qc", "class_name"])]
    edges = [edge("start", "qc"), edge("qc", "tech", "t"), edge("qc", "billing", "b"), edge("tech", "agg"),
             edge("billing", "agg"), edge("agg", "end")]

    result, _ = run(graph(nodes, edges), system={"query": "my invoice"}, llm_settings_for=settings_for(fake_llm))

    assert result.status == "succeeded", result.error
    assert result.outputs["out"] == chosen


def test_llm_without_provider_fails_clearly():
    from tests.workflow.support import llm
    result, _ = run(graph([start(), llm("l", "hi")], [edge("start", "l")]))
    assert result.status == "failed" and result.error == "No model provider is configured for this workflow"


@pytest.mark.parametrize("source, error", [
    ("{{ ''.__class__.__mro__ }}", "Template error"),
    ("{{ 'a' * 100000000 }}", "too large"),
    ("{% for %}", "Template error"),
])
def test_template_transform_is_sandboxed(source, error):
    result, _ = run(graph([start(), template("t", source)], [edge("start", "t")]))
    assert result.status == "failed" and error in result.error
