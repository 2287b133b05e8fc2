"""core.app_features: /api/parameters bodies from real DSL samples, and run-input validation."""

from pathlib import Path

import pytest
import yaml

from core.app_features import (
    DEFAULT_FILE_UPLOAD,
    DEFAULT_SYSTEM_PARAMETERS,
    InputError,
    InputVariable,
    input_variables,
    parameters_from_model_config,
    parameters_from_workflow,
    validate_inputs,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / ".." / "shared" / "dsl-samples"
SPEC_KEYS = {
    "opening_statement", "suggested_questions", "suggested_questions_after_answer", "speech_to_text",
    "text_to_speech", "retriever_resource", "annotation_reply", "more_like_this", "user_input_form",
    "sensitive_word_avoidance", "file_upload", "system_parameters",
}


def sample(name: str) -> dict:
    return yaml.safe_load((SAMPLES / name).read_text(encoding="utf-8"))


def test_model_config_sample_parameters():
    model_config = sample("dify-tpl-sql-creator.yml")["model_config"]
    params = parameters_from_model_config(model_config)
    assert set(params) == SPEC_KEYS
    assert params["opening_statement"] == ""
    assert params["user_input_form"] == [
        {"select": {"default": "", "label": "Database Type", "required": True, "variable": "A",
                    "options": ["MySQL", "SQL Server", "PostgreSQL", "BigQuery", "Snowflake"]}},
        {"paragraph": {"default": "", "label": "Input", "required": True, "variable": "default_input"}},
    ]
    assert params["file_upload"] == model_config["file_upload"]
    assert params["sensitive_word_avoidance"] == {"configs": [], "enabled": False, "type": ""}
    assert params["system_parameters"] == DEFAULT_SYSTEM_PARAMETERS


def test_model_config_opening_statement_and_questions():
    params = parameters_from_model_config(sample("dify-tpl-code-interpreter.yml")["model_config"])
    assert params["opening_statement"].startswith("Hello, I can help you understand")
    assert len(params["suggested_questions"]) == 3
    assert params["text_to_speech"]["enabled"] is False


def test_workflow_sample_parameters():
    workflow = sample("awesome-translation-workflow.yml")["workflow"]
    params = parameters_from_workflow(workflow)
    assert set(params) == SPEC_KEYS
    assert params["user_input_form"][0] == {
        "text-input": {"label": "target_lang", "max_length": 48, "options": [], "required": True,
                       "type": "text-input", "variable": "target_lang"}
    }
    assert [next(iter(item)) for item in params["user_input_form"]] == [
        "text-input", "paragraph", "text-input", "text-input"
    ]
    assert params["retriever_resource"] == {"enabled": True}
    assert params["text_to_speech"] == {"enabled": False, "language": "", "voice": ""}
    assert params["annotation_reply"] == params["more_like_this"] == {"enabled": False}  # not in features


def test_workflow_select_and_number_variables():
    form = parameters_from_workflow(sample("dify-tpl-text-summarization.yml")["workflow"])["user_input_form"]
    assert form[1]["select"]["options"] == ["Technical Summary", "General Overview"]
    form = parameters_from_workflow(sample("dify-fx-conditional-parallel-code.yml")["workflow"])["user_input_form"]
    assert form == [{"number": {"label": "switch", "max_length": 48, "options": [], "required": True,
                                "type": "number", "variable": "switch"}}]


def test_defaults_when_features_absent():
    params = parameters_from_workflow({"graph": {"nodes": []}})
    assert params == {
        "opening_statement": None,
        "suggested_questions": [],
        "suggested_questions_after_answer": {"enabled": False},
        "speech_to_text": {"enabled": False},
        "text_to_speech": {"enabled": False},
        "retriever_resource": {"enabled": False},
        "annotation_reply": {"enabled": False},
        "more_like_this": {"enabled": False},
        "user_input_form": [],
        "sensitive_word_avoidance": {"enabled": False, "type": "", "configs": []},
        "file_upload": DEFAULT_FILE_UPLOAD,
        "system_parameters": DEFAULT_SYSTEM_PARAMETERS,
    }
    assert parameters_from_model_config({"speech_to_text": None})["speech_to_text"] == {"enabled": False}


def test_system_parameters_override_and_no_shared_state():
    workflow = sample("awesome-json-repair.yml")["workflow"]
    params = parameters_from_workflow(workflow, {"file_size_limit": 42})
    assert params["system_parameters"] == {**DEFAULT_SYSTEM_PARAMETERS, "file_size_limit": 42}
    params["file_upload"]["image"]["enabled"] = True
    params["user_input_form"][0]["paragraph"]["label"] = "changed"
    assert workflow["features"]["file_upload"]["image"]["enabled"] is False
    assert workflow["graph"]["nodes"][0]["data"]["variables"][0]["label"] == "llm_string"
    assert parameters_from_workflow({})["file_upload"] is not DEFAULT_FILE_UPLOAD


def test_input_variables_from_model_config():
    model_config = sample("dify-tpl-sql-creator.yml")["model_config"]
    model_config["user_input_form"].append({"external_data_tool": {"variable": "ext", "label": "Ext"}})
    assert input_variables("completion", model_config, None) == [
        InputVariable("A", "Database Type", "select", True, None,
                      ("MySQL", "SQL Server", "PostgreSQL", "BigQuery", "Snowflake"), ""),
        InputVariable("default_input", "Input", "paragraph", True, None, (), ""),
    ]


def test_input_variables_from_workflow():
    workflow = sample("awesome-translation-workflow.yml")["workflow"]
    variables = input_variables("workflow", None, workflow)
    assert [(v.variable, v.type, v.required, v.max_length) for v in variables] == [
        ("target_lang", "text-input", True, 48),
        ("source_text", "paragraph", True, 50000),
        ("source_lang", "text-input", True, 48),
        ("country", "text-input", False, 48),
    ]
    assert input_variables("advanced-chat", None, sample("awesome-llm2o1.yml")["workflow"]) == []


FORM = [
    InputVariable("name", "Name", "text-input", True, 5),
    InputVariable("bio", "Bio", "paragraph", False, None, (), "n/a"),
    InputVariable("db", "Database", "select", False, None, ("MySQL", "PostgreSQL")),
    InputVariable("count", "Count", "number", False),
]


def test_validate_inputs_cleans_and_fills_defaults():
    cleaned = validate_inputs(FORM, {"name": "a\x00b", "db": "MySQL", "count": "3", "extra": "dropped"})
    assert cleaned == {"name": "ab", "bio": "n/a", "db": "MySQL", "count": 3}
    assert validate_inputs(FORM, {"name": "x", "bio": "", "count": " 2.5 "}) == {
        "name": "x", "bio": "n/a", "db": "", "count": 2.5
    }
    assert validate_inputs(FORM, {"name": "x", "count": 7})["count"] == 7


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({}, "name is required in input form"),
        ({"name": ""}, "name is required in input form"),
        ({"name": "\x00"}, "name is required in input form"),
        ({"name": "toolong"}, "name in input form must be less than 5 characters"),
        ({"name": 12}, "name in input form must be a string"),
        ({"name": "ok", "db": "Oracle"}, "db in input form must be one of the following: ['MySQL', 'PostgreSQL']"),
        ({"name": "ok", "count": "many"}, "count in input form must be a valid number"),
        ({"name": "ok", "count": True}, "count in input form must be a valid number"),
        ({"name": "ok", "count": "nan"}, "count in input form must be a valid number"),
    ],
)
def test_validate_inputs_errors(inputs, message):
    with pytest.raises(InputError) as info:
        validate_inputs(FORM, inputs)
    assert info.value.message == message
    assert not isinstance(info.value, ValueError)


def test_validate_inputs_on_real_form():
    variables = input_variables("completion", None, None) + input_variables(
        "completion", sample("dify-tpl-sql-creator.yml")["model_config"], None
    )
    assert validate_inputs(variables, {"A": "BigQuery", "default_input": "top 10 users"}) == {
        "A": "BigQuery", "default_input": "top 10 users"
    }
    with pytest.raises(InputError, match="A in input form must be one of the following"):
        validate_inputs(variables, {"A": "Oracle", "default_input": "q"})
