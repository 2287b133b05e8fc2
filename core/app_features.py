"""App configuration -> the ``GET /api/parameters`` body (spec §2.5), and run-input validation.

Pure functions over the stored ``model_config`` (completion / chat / agent-chat) or ``workflow``
(workflow / advanced-chat) mappings, as imported from a DSL file.
"""

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.dsl import WORKFLOW_MODES
from core.text import clean_tree

DEFAULT_SYSTEM_PARAMETERS = {
    "image_file_size_limit": 10,
    "video_file_size_limit": 100,
    "audio_file_size_limit": 50,
    "file_size_limit": 15,
    "workflow_file_upload_limit": 10,
}
DEFAULT_FILE_UPLOAD = {
    "image": {
        "enabled": False,
        "number_limits": 3,
        "detail": "high",
        "transfer_methods": ["remote_url", "local_file"],
    }
}
DEFAULT_SENSITIVE_WORD_AVOIDANCE = {"enabled": False, "type": "", "configs": []}
TOGGLE_FEATURES = (
    "suggested_questions_after_answer",
    "speech_to_text",
    "text_to_speech",
    "retriever_resource",
    "annotation_reply",
    "more_like_this",
)
TEXT_INPUT_TYPES = frozenset({"text-input", "paragraph", "select"})
_LENGTH_LIMITED_TYPES = frozenset({"text-input", "paragraph"})
_NOT_A_VARIABLE = "external_data_tool"  # old user_input_form entries for API extensions


class InputError(Exception):
    """Run inputs do not match the app's input form; ``message`` is Dify's wording."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class InputVariable:
    """One field of an app's input form, normalized from either config shape."""

    variable: str
    label: str
    type: str
    required: bool = False
    max_length: int | None = None
    options: tuple[str, ...] = ()
    default: Any = None


def parameters_from_model_config(model_config: Mapping, system_parameters: Mapping | None = None) -> dict:
    """``/api/parameters`` body for a completion/chat/agent-chat app's ``model_config``."""
    form = list(model_config.get("user_input_form") or [])
    return build_parameters(model_config, form, system_parameters)


def parameters_from_workflow(workflow: Mapping, system_parameters: Mapping | None = None) -> dict:
    """``/api/parameters`` body for a workflow/advanced-chat app's ``workflow`` mapping."""
    return build_parameters(workflow.get("features") or {}, workflow_user_input_form(workflow), system_parameters)


def build_parameters(features: Mapping, user_input_form: list, system_parameters: Mapping | None = None) -> dict:
    """Spec §2.5 body from a features mapping; missing objects get their disabled defaults.

    ``system_parameters`` values override ``DEFAULT_SYSTEM_PARAMETERS`` key by key. The result
    shares no mutable objects with the arguments.
    """
    params: dict[str, Any] = {
        "opening_statement": features.get("opening_statement"),
        "suggested_questions": list(features.get("suggested_questions") or []),
    }
    for key in TOGGLE_FEATURES:
        params[key] = _mapping_or(features.get(key), {"enabled": False})
    params["user_input_form"] = user_input_form
    params["sensitive_word_avoidance"] = _mapping_or(
        features.get("sensitive_word_avoidance"), DEFAULT_SENSITIVE_WORD_AVOIDANCE
    )
    params["file_upload"] = _mapping_or(features.get("file_upload"), DEFAULT_FILE_UPLOAD)
    params["system_parameters"] = {**DEFAULT_SYSTEM_PARAMETERS, **(system_parameters or {})}
    return copy.deepcopy(params)


def workflow_user_input_form(workflow: Mapping) -> list[dict]:
    """Start-node variables in the old ``[{<type>: <variable>}]`` shape.

    Like Dify's ``Workflow.user_input_form(to_old_structure=True)``, the body is the whole
    variable mapping, ``type`` included.
    """
    return [{variable.get("type"): variable} for variable in start_variables(workflow)]


def start_variables(workflow: Mapping) -> list[dict]:
    """``data.variables`` of the workflow's first start node ([] when there is none)."""
    nodes = (workflow.get("graph") or {}).get("nodes") or []
    for node in nodes:
        data = node.get("data") or {}
        if data.get("type") == "start":
            return [variable for variable in data.get("variables") or [] if isinstance(variable, dict)]
    return []


def input_variables(app_mode: str, model_config: Mapping | None, workflow: Mapping | None) -> list[InputVariable]:
    """The app's input form as ``InputVariable``s (start node for workflow modes, else ``user_input_form``)."""
    if app_mode in WORKFLOW_MODES:
        entries = [(variable.get("type"), variable) for variable in start_variables(workflow or {})]
    else:
        entries = [_old_form_entry(item) for item in (model_config or {}).get("user_input_form") or []]
    return [
        _input_variable(kind, body)
        for kind, body in entries
        if kind and kind != _NOT_A_VARIABLE and isinstance(body, dict) and body.get("variable")
    ]


def validate_inputs(variables: list[InputVariable], inputs: Mapping | None, max_text_length: int = 0) -> dict:
    """Cleaned run inputs: one entry per variable, unknown keys dropped. Raises InputError.

    Strings lose NUL bytes (also inside objects and lists); numbers become int/float; a missing or empty
    optional value becomes the variable's default (as configured) or "". A positive ``max_text_length``
    bounds every string value, whatever its form declares.
    """
    inputs = inputs or {}
    cleaned = {variable.variable: clean_input(variable, inputs.get(variable.variable)) for variable in variables}
    for name, value in cleaned.items():
        if max_text_length and isinstance(value, str) and len(value) > max_text_length:
            raise InputError(f"{name} in input form must be less than {max_text_length} characters")
    return cleaned


def clean_input(variable: InputVariable, value: Any) -> Any:
    """One cleaned input value for ``variable``. Raises InputError."""
    value = clean_tree(value)
    if value is None or value == "":
        if variable.required:
            raise InputError(f"{variable.variable} is required in input form")
        return "" if variable.default is None else variable.default
    if variable.type in TEXT_INPUT_TYPES:
        return _clean_text(variable, value)
    if variable.type == "number":
        return _clean_number(variable, value)
    return value


def _clean_text(variable: InputVariable, value: Any) -> str:
    if not isinstance(value, str):
        raise InputError(f"{variable.variable} in input form must be a string")
    if variable.type == "select" and value not in variable.options:
        raise InputError(f"{variable.variable} in input form must be one of the following: {list(variable.options)}")
    if variable.type in _LENGTH_LIMITED_TYPES and variable.max_length and len(value) > variable.max_length:
        raise InputError(f"{variable.variable} in input form must be less than {variable.max_length} characters")
    return value


def _clean_number(variable: InputVariable, value: Any) -> int | float:
    number = _to_number(value)
    if number is None or not math.isfinite(number):
        raise InputError(f"{variable.variable} in input form must be a valid number")
    return number


def _to_number(value: Any) -> int | float | None:
    """int/float from a number or numeric string; None when it is neither (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return None


def _old_form_entry(item: Any) -> tuple[str | None, Any]:
    """``{<type>: {...}}`` -> (type, body); (None, None) for anything else."""
    if not isinstance(item, dict) or len(item) != 1:
        return None, None
    return next(iter(item.items()))


def _input_variable(kind: str, body: Mapping) -> InputVariable:
    variable = str(body["variable"])
    max_length = body.get("max_length")
    return InputVariable(
        variable=variable,
        label=str(body.get("label") or variable),
        type=str(kind),
        required=bool(body.get("required", False)),
        max_length=max_length if isinstance(max_length, int) and max_length > 0 else None,
        options=tuple(str(option) for option in body.get("options") or []),
        default=body.get("default"),
    )


def _mapping_or(value: Any, default: Mapping) -> Mapping:
    """``value`` when it is a mapping, else ``default``."""
    return value if isinstance(value, Mapping) else default
