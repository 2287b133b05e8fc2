"""core.dsl: every shared Dify DSL sample is accepted or refused as expected, plus synthetic edge cases."""

from pathlib import Path

import pytest
import yaml

from core.dsl import SUPPORTED_NODE_TYPES, DslApp, DslError, parse_dsl

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / ".." / "shared" / "dsl-samples"

# file -> (app mode, None when accepted or a substring of the refusal message)
EXPECTED = {
    "awesome-artifact.yml": ("advanced-chat", None),
    "awesome-book-translation.yml": ("workflow", None),
    "awesome-deep-researcher.yml": ("advanced-chat", "Unsupported tool 'wikipedia_search' from builtin provider"),
    "awesome-form-chat.yml": ("advanced-chat", None),
    "awesome-intent-reply.yml": ("workflow", "Unsupported node type 'knowledge-retrieval' (node \"知识检索\""),
    "awesome-json-repair.yml": ("workflow", None),
    "awesome-json-translate.yml": ("workflow", "Unsupported tool 'translate' from builtin provider 'google_tr"),
    "awesome-llm2o1.yml": ("advanced-chat", None),
    "awesome-search-master.yml": ("advanced-chat", "Unsupported tool 'searxng_search'"),
    "awesome-small-pay-demo.yml": ("advanced-chat", "'create_order' from plugin provider 'hjlarry/small_pay/"),
    "awesome-translation-workflow.yml": ("workflow", None),
    "dify-fx-array-iteration-formatting.yml": ("workflow", None),
    "dify-fx-conditional-parallel-code.yml": ("workflow", None),
    "dify-fx-dual-switch-aggregator.yml": ("workflow", None),
    "dify-fx-http-request-json-tool.yml": ("workflow", "Unsupported tool 'json_parse'"),
    "dify-fx-update-convvar-in-iteration.yml": ("advanced-chat", None),
    "dify-tpl-article-grading-bot.yml": ("chat", None),
    "dify-tpl-code-interpreter.yml": ("chat", None),
    "dify-tpl-customer-review-analysis.yml": ("workflow", None),
    "dify-tpl-investment-copilot.yml": ("agent-chat", "Unsupported agent tool 'yahoo_finance_analytics'"),
    "dify-tpl-qc-knowledge-chatbot.yml": ("advanced-chat", "'knowledge-retrieval' (node \"Knowledge Retrieval \""),
    "dify-tpl-sql-creator.yml": ("completion", None),
    "dify-tpl-text-summarization.yml": ("workflow", "knowledge bases are not supported by this server"),
}


def read_sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def sample_data(name: str) -> dict:
    return yaml.safe_load(read_sample(name))


def refusal(data: dict) -> str:
    with pytest.raises(DslError) as info:
        parse_dsl(yaml.safe_dump(data, allow_unicode=True))
    return info.value.message


def test_table_covers_every_sample():
    assert sorted(path.name for path in SAMPLES.glob("*.yml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_accepted_or_refused(name):
    mode, refused_with = EXPECTED[name]
    if refused_with is None:
        app = parse_dsl(read_sample(name))
        assert app.mode == mode
        assert (app.workflow is not None) == (mode in ("workflow", "advanced-chat"))
        assert (app.model_config is not None) == (mode not in ("workflow", "advanced-chat"))
    else:
        with pytest.raises(DslError) as info:
            parse_dsl(read_sample(name))
        assert refused_with in info.value.message
        assert str(info.value) == info.value.message


def test_modern_export_fields():
    app = parse_dsl(read_sample("awesome-artifact.yml"))
    assert isinstance(app, DslApp)
    assert app.dsl_version == "0.2.0"
    assert app.icon_type == "emoji"
    assert app.model_config is None
    assert set(app.workflow) >= {"graph", "features", "environment_variables", "conversation_variables"}
    # a marketplace plugin that only provides a model is fine
    assert app.dependencies[0]["value"]["marketplace_plugin_unique_identifier"].startswith("langgenius/volcengine_maas")


def test_old_template_format_fields():
    app = parse_dsl(read_sample("dify-tpl-sql-creator.yml"))
    assert (app.name, app.dsl_version, app.dependencies, app.workflow) == ("SQL Creator", None, [], None)
    assert app.model_config["model"]["name"] == "gpt-3.5-turbo"
    assert app.description == ""


def test_first_offending_node_in_file_order():
    # the wikipedia tool node precedes the three knowledge-retrieval nodes
    message = refusal(sample_data("awesome-deep-researcher.yml"))
    assert "wikipedia_search" in message and "维基百科搜索" in message and "knowledge" not in message


def test_tool_refusal_names_node_and_reason():
    message = refusal(sample_data("dify-fx-http-request-json-tool.yml"))
    assert message == (
        "Unsupported tool 'json_parse' from builtin provider 'builtin' in node \"Tool\" (id tool_node): "
        "only MCP tools are supported by this server"
    )


def test_mcp_tool_node_accepted():
    data = sample_data("dify-fx-http-request-json-tool.yml")
    tool = next(node for node in data["workflow"]["graph"]["nodes"] if node["data"]["type"] == "tool")
    tool["data"].update(provider_type="mcp", provider_id="weather-server")
    assert parse_dsl(yaml.safe_dump(data)).mode == "workflow"


@pytest.mark.parametrize("node_type", ["loop", "loop-start", "document-extractor", "list-operator", "agent"])
def test_unsupported_node_types_refused(node_type):
    data = sample_data("awesome-json-repair.yml")
    data["workflow"]["graph"]["nodes"].append({"id": "n1", "data": {"type": node_type, "title": "Extra"}})
    assert refusal(data).startswith(f"Unsupported node type '{node_type}' (node \"Extra\", id n1)")


def test_supported_node_types():
    assert {"variable-assigner", "variable-aggregator", "assigner", "tool", "custom-note"} <= SUPPORTED_NODE_TYPES
    assert not {"loop", "knowledge-retrieval", "document-extractor", "list-operator", "agent"} & SUPPORTED_NODE_TYPES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("app: [unclosed", "not valid YAML"),
        ("- just\n- a list\n", "expected a YAML mapping"),
        ("", "expected a YAML mapping"),
        ("kind: plugin\napp: {mode: chat}\n", "Unsupported DSL kind 'plugin'"),
        ("version: 1.0.0\nkind: app\napp: {mode: chat}\n", "DSL version 1.0.0 is newer"),
        ("version: banana\napp: {mode: chat}\n", "Invalid DSL version 'banana'"),
        ("app: {name: x}\n", "Missing app.mode"),
        ("app: {mode: rag-pipeline}\n", "Unknown app mode 'rag-pipeline'"),
        ("app: {mode: chat}\n", "'model_config'"),
        ("app: {mode: workflow}\n", "'workflow'"),
        ("app: {mode: workflow}\nworkflow: {graph: {nodes: []}}\n", "workflow.graph.nodes"),
        ("app: {mode: workflow}\nworkflow: {graph: {nodes: [{id: a, data: {type: end}}]}}\n", "no start node"),
        ("app: {mode: workflow}\nworkflow: {graph: {nodes: [start]}}\n", "Malformed workflow node"),
    ],
)
def test_malformed_files_refused(text, expected):
    with pytest.raises(DslError) as info:
        parse_dsl(text)
    assert expected in info.value.message


def test_minor_versions_accepted():
    data = sample_data("awesome-json-repair.yml")
    data["version"] = "0.9.9"
    assert parse_dsl(yaml.safe_dump(data)).dsl_version == "0.9.9"


def agent_app(tools: list) -> dict:
    data = sample_data("dify-tpl-investment-copilot.yml")
    data["model_config"]["agent_mode"]["tools"] = tools
    return data


def test_agent_chat_without_tools_or_with_mcp_tools_accepted():
    mcp_tool = {"provider_type": "mcp", "provider_id": "srv", "tool_name": "lookup", "enabled": True}
    disabled_builtin = {"provider_type": "builtin", "provider_id": "yahoo", "tool_name": "news", "enabled": False}
    for tools in ([], [mcp_tool], [mcp_tool, disabled_builtin]):
        assert parse_dsl(yaml.safe_dump(agent_app(tools))).mode == "agent-chat"


@pytest.mark.parametrize(
    ("tool", "expected"),
    [
        ({"provider_type": "api", "provider_id": "p1", "tool_name": "getPet"}, "'getPet' from api provider 'p1'"),
        ({"google_search": {"enabled": True}}, "Unsupported agent tool 'google_search'"),
        ({"dataset": {"enabled": True, "id": "d1"}}, "knowledge bases"),
    ],
)
def test_agent_chat_non_mcp_tools_refused(tool, expected):
    assert expected in refusal(agent_app([tool]))


def test_model_config_with_knowledge_base_refused():
    data = sample_data("dify-tpl-sql-creator.yml")
    data["model_config"]["dataset_configs"]["datasets"]["datasets"] = [{"dataset": {"enabled": True, "id": "d1"}}]
    assert "knowledge base" in refusal(data)
