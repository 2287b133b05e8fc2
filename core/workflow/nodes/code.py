"""code: runs the node's python3/javascript ``main`` in the sandbox and checks the declared outputs."""
from typing import Any

from core.workflow.errors import NodeError
from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.sandbox import SandboxCancelled, SandboxError, run_code

DISABLED_MESSAGE = "Code execution is disabled on this server"
_SCALARS = {"string": (str,), "number": (int, float), "boolean": (bool,), "object": (dict,)}


def run(node: NodeRun) -> NodeResult:
    """Outputs the declared ``data.outputs`` of ``main(**inputs)``. Raises NodeError."""
    if not node.ctx.code_enabled:
        raise NodeError(DISABLED_MESSAGE, "CodeExecutionDisabled")
    inputs = {str(v["variable"]): node.get(v.get("value_selector"))
              for v in node.data.get("variables") or [] if v.get("variable")}
    language = str(node.data.get("code_language") or "python3")
    try:
        result = run_code(language, str(node.data.get("code") or ""), inputs, node.limits, node.cancelled,
                          node.ctx.code_sandbox)
    except SandboxCancelled:
        node.checkpoint()
        raise NodeError("Code execution was cancelled", "CodeCancelled")
    except SandboxError as exc:
        raise NodeError(exc.message, exc.error_type) from exc
    outputs = check_outputs(result, node.data.get("outputs"), node.limits.code_max_string_length)
    return NodeResult(outputs=outputs, inputs=inputs)


def check_outputs(result: dict, declared: dict | None, max_string: int) -> dict:
    """Keep the declared outputs, checking presence and type. Raises NodeError. No declaration: all of ``result``."""
    if not declared:
        return dict(result)
    outputs = {}
    for name, spec in declared.items():
        if name not in result:
            raise NodeError(f"Output {name} is missing.", "OutputValidationError")
        kind = str((spec or {}).get("type") or "any")
        outputs[name] = _checked(name, kind, result[name], max_string)
    return outputs


def _checked(name: str, kind: str, value: Any, max_string: int) -> Any:
    if value is None:
        return None
    if kind.startswith("array"):
        item_kind = kind[6:-1] if kind.startswith("array[") else "any"
        if not isinstance(value, list):
            raise NodeError(f"Output {name} must be an array, got {type(value).__name__}", "OutputValidationError")
        return [_checked(f"{name}[{index}]", item_kind, item, max_string) for index, item in enumerate(value)]
    expected = _SCALARS.get(kind)
    if expected is None:
        return value
    if not isinstance(value, expected) or (kind == "number" and isinstance(value, bool)):
        raise NodeError(f"Output {name} must be a {kind}, got {type(value).__name__}", "OutputValidationError")
    if kind == "string" and len(value) > max_string:
        raise NodeError(f"Output {name} is longer than {max_string} characters", "OutputValidationError")
    return value
