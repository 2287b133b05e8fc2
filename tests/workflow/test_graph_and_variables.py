"""The node registry, graph parsing and the variable pool."""
import pytest

from core.dsl import SUPPORTED_NODE_TYPES
from core.workflow import RunContext, run_graph, workflow_variables
from core.workflow.errors import WorkflowError
from core.workflow.graph import Graph
from core.workflow.nodes import NODE_TYPES
from core.workflow.variables import ConversationStore, VariablePool, template_segments, to_text
from tests.workflow.support import edge, graph, load_workflow, node, start


def test_node_types_match_the_dsl_importer():
    assert set(NODE_TYPES) == set(SUPPORTED_NODE_TYPES)


def test_graph_scopes_and_notes():
    parsed = Graph.from_dsl(load_workflow("awesome-book-translation")["graph"])
    body = parsed.subgraph("1717916955547")

    assert parsed.root_id == "1711067409646" and "1717916961837" not in parsed.nodes
    assert not any(n.get("type") == "custom-note" for n in parsed.nodes.values())
    assert body.root_id == "1717916955547start0" and len(body.nodes) == 5
    assert body.unconditional_from(body.root_id) == set(body.nodes)


def test_graph_without_start_fails_the_run():
    with pytest.raises(WorkflowError):
        Graph.from_dsl(graph([node("t", "template-transform", template="x")], []))
    result = run_graph(graph([node("t", "template-transform", template="x")], []), {}, {}, RunContext())
    assert result.status == "failed" and result.error == "The workflow has no start node"


def test_unreachable_sources_do_not_block_joins():
    nodes = [start(), node("orphan", "template-transform", template="o"), node("t", "template-transform", template="x")]
    result = run_graph(graph(nodes, [edge("start", "t"), edge("orphan", "t")]), {}, {}, RunContext())
    assert result.status == "succeeded" and [e["node_id"] for e in result.node_executions] == ["start", "t"]


def test_pool_selectors_and_templates():
    pool = VariablePool({"sys.query": "q", "user_id": "u"}, {"key": "secret"}, ConversationStore({"n": 2}))
    pool.set_outputs("n1", {"obj": {"a": [10, {"b": "deep"}]}, "flag": True})
    child = pool.child()
    child.set_outputs("it", {"item": "x"})

    assert pool.get(["sys", "query"]) == "q" and pool.get(["sys", "user_id"]) == "u"
    assert pool.get(["env", "key"]) == "secret" and pool.get(["conversation", "n"]) == 2
    assert pool.get(["n1", "obj", "a", "1", "b"]) == "deep" and pool.get(["n1", "missing"]) is None
    assert child.get(["n1", "flag"]) is True and child.get(["it", "item"]) == "x" and pool.get(["it", "item"]) is None
    rendered = pool.render("{{#n1.obj#}}|{{#n1.flag#}}|{{#sys.query#}}|{{#none.x#}}|{{#context#}}", {"context": "C"})
    assert rendered == '{"a": [10, {"b": "deep"}]}|true|q||C'


def test_template_segments_and_text():
    assert template_segments("a {{#x.y#}} b") == [("text", "a "), ("ref", ["x", "y"]), ("text", " b")]
    assert to_text(None) == "" and to_text(1.5) == "1.5" and to_text(["é"]) == '["é"]'


def test_workflow_variables_reads_dsl_defaults():
    conversation, env = workflow_variables(load_workflow("awesome-form-chat"))
    assert conversation == {"user_token": ""} and env == {"login": 0}
