"""Accepted DSL samples that need no model: run end to end and check outputs and events."""
import pytest

from core.workflow.sandbox import SandboxSettings
from tests.workflow.support import load_workflow, run


@pytest.mark.parametrize("switch1, switch2, group1, group2", [
    (1, 0, "switch 1 on", "switch 2 off"),
    (0, 1, "switch 1 off", "switch 2 on"),
    ("1", "1", "switch 1 on", "switch 2 on"),
    (0, 0, "switch 1 off", "switch 2 off"),
])
def test_dual_switch_aggregator(switch1, switch2, group1, group2):
    workflow = load_workflow("dify-fx-dual-switch-aggregator")

    result, events = run(workflow["graph"], {"switch1": switch1, "switch2": switch2})

    assert result.status == "succeeded", result.error
    assert result.outputs == {"group1": group1, "group2": group2}
    assert result.total_steps == 7  # start, 2 if-else, 2 templates, aggregator, end
    assert len(events.of("node_started")) == len(events.of("node_finished")) == 7


@pytest.mark.parametrize("switch, expected", [
    (1, {"1": "Code 1", "2": "Code 2", "3": None}),
    (0, {"1": None, "2": "Code 2", "3": "Code 3"}),
])
def test_conditional_parallel_code(switch, expected):
    workflow = load_workflow("dify-fx-conditional-parallel-code")

    result, events = run(workflow["graph"], {"switch": switch})

    assert result.status == "succeeded", result.error
    assert result.outputs == expected
    titles = [data["title"] for data in events.of("node_started")]
    assert titles[-1] == "End" and titles.count("Code 2") == 1


def test_array_iteration_formatting():
    workflow = load_workflow("dify-fx-array-iteration-formatting")

    result, events = run(workflow["graph"])

    assert result.status == "succeeded", result.error
    assert result.outputs == {"output": ["output: 1", "output: 2", "output: 3"]}
    names = events.names()
    assert names.count("iteration_next") == 3
    assert names.index("iteration_started") < names.index("iteration_completed")
    completed = events.of("iteration_completed")[0]
    assert completed["status"] == "succeeded" and completed["outputs"] == {"output": result.outputs["output"]}
    inner = [d for d in events.of("node_finished") if d["iteration_id"] == "1754683430480"]
    assert [d["title"] for d in inner].count("Template") == 3


def test_json_repair_fails_clearly_without_the_package():
    workflow = load_workflow("awesome-json-repair")

    result, events = run(workflow["graph"], {"llm_string": "{'a': 1"})

    assert result.status == "failed"
    assert result.error == "ModuleNotFoundError: No module named 'json_repair'"
    failed = events.finished("1732007419308")
    assert failed["status"] == "failed" and failed["error"] == result.error


def test_update_conversation_variable_in_iteration():
    workflow = load_workflow("dify-fx-update-convvar-in-iteration")

    result, events = run(workflow["graph"], system={"query": "hello there"}, mode="advanced-chat",
                         conversation_variables={"answer": ""})

    assert result.status == "succeeded", result.error
    assert result.conversation_variables == {"answer": "hello there"}
    assert events.text() == "hello there"
    assert result.outputs == {"answer": "hello there"} and result.answer == "hello there"


def test_form_chat_login_paths(fake_llm, sandbox_packages):
    from tests.workflow.support import settings_for
    graph = load_workflow("awesome-form-chat")["graph"]
    # its code node imports requests: the operator's extra packages provide it, as Dify's sandbox does
    common = {"mode": "advanced-chat", "environment_variables": {"login": 0},
              "code_sandbox": SandboxSettings(python_packages=sandbox_packages)}

    first, events = run(graph, system={"query": "hi"}, conversation_variables={"user_token": ""}, **common)
    assert first.status == "succeeded", first.error
    assert events.text().startswith("初次使用，请登录员工账号和密码哦。") and "<form" in events.text()

    login, events = run(graph, system={"query": '{"username": "svcvit", "password": "x"}'},
                        conversation_variables={"user_token": ""}, **common)
    assert login.status == "succeeded", login.error
    assert events.text() == "登录成功，我们聊点什么？"
    assert login.conversation_variables == {"user_token": "user_token_test"}

    chat, events = run(graph, system={"query": "tell me a joke"}, llm_settings_for=settings_for(fake_llm),
                       conversation_variables={"user_token": "user_token_test"}, **common)
    assert chat.status == "succeeded", chat.error
    assert events.text() == "Echo: tell me a joke"
    assert chat.total_tokens > 0
