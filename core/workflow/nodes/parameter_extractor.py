"""parameter-extractor: asks the model for a JSON object of ``data.parameters`` and validates it."""
import json
from typing import Any

from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.nodes.json_parse import extract_json
from core.workflow.nodes.llm_call import complete, model_info
from core.workflow.variables import to_text

_SYSTEM_PROMPT = """You extract structured parameters from the user's text.
Reply with ONLY a JSON object (no prose, no code fence) whose keys are the parameter names below.
Leave out a parameter you cannot find in the text.

Parameters (JSON schema):
{schema}
{instruction}"""
_EMPTY = {"string": "", "number": 0, "bool": False, "boolean": False, "select": ""}


def run(node: NodeRun) -> NodeResult:
    """Outputs each parameter plus ``__is_success`` (1/0), ``__reason`` and ``__usage``."""
    parameters = [p for p in node.data.get("parameters") or [] if p.get("name")]
    query = to_text(node.get(node.data.get("query")))
    messages = [{"role": "system", "content": _system_prompt(node, parameters)}, {"role": "user", "content": query}]
    text, usage, _ = complete(node, messages)
    values, reason = validate(parameters, _as_object(extract_json(text), parameters))
    outputs = {**values, "__is_success": 0 if reason else 1, "__reason": reason, "__usage": usage}
    return NodeResult(outputs=outputs, inputs={"query": query},
                      process_data={**model_info(node), "prompts": messages, "llm_text": text, "usage": usage},
                      tokens=usage.get("total_tokens") or 0)


def validate(parameters: list, raw: dict | None) -> tuple[dict, str | None]:
    """Typed values for every parameter (empty defaults when absent/invalid) and the first problem, if any."""
    if raw is None:
        return {p["name"]: empty(p.get("type")) for p in parameters}, "The model did not answer with a JSON object"
    values, reason = {}, None
    for parameter in parameters:
        name, kind = parameter["name"], parameter.get("type") or "string"
        value = convert(kind, raw.get(name), parameter.get("options"))
        if value is None:
            value = empty(kind)
            if parameter.get("required") and reason is None:
                reason = f"Missing or invalid required parameter: {name}"
        values[name] = value
    return values, reason


def convert(kind: str, value: Any, options: list | None = None) -> Any:
    """``value`` as parameter type ``kind`` (None when it cannot be)."""
    if value is None:
        return None
    if kind.startswith("array"):
        item_kind = kind[6:-1] if kind.startswith("array[") else "string"
        items = value if isinstance(value, list) else [value]
        converted = [convert(item_kind, item) for item in items]
        return [item for item in converted if item is not None]
    if kind == "object":
        return value if isinstance(value, dict) else None
    if kind == "number":
        return _number(value)
    if kind in ("bool", "boolean"):
        return value if isinstance(value, bool) else str(value).strip().lower() in ("true", "1", "yes")
    text = to_text(value)
    if kind == "select" and options and text not in options:
        return None
    return text


def empty(kind: str | None) -> Any:
    """The default of a parameter type when nothing was extracted."""
    kind = kind or "string"
    return [] if kind.startswith("array") else _EMPTY.get(kind, None)


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def _as_object(parsed: Any, parameters: list) -> dict | None:
    """The parsed reply as a mapping; a bare list fills the only array parameter."""
    if isinstance(parsed, dict):
        return parsed
    arrays = [p for p in parameters if str(p.get("type") or "").startswith("array")]
    if isinstance(parsed, list) and len(arrays) == 1:
        return {arrays[0]["name"]: parsed}
    return None


def _system_prompt(node: NodeRun, parameters: list) -> str:
    schema = {p["name"]: {"type": p.get("type") or "string", "description": p.get("description") or "",
                          "required": bool(p.get("required")), **({"enum": p["options"]} if p.get("options") else {})}
              for p in parameters}
    instruction = node.render(node.data.get("instruction"))
    extra = f"\nInstructions:\n{instruction}" if instruction else ""
    return _SYSTEM_PROMPT.format(schema=json.dumps(schema, ensure_ascii=False, indent=2), instruction=extra)
