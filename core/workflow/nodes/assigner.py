"""assigner: writes conversation variables (v1 ``write_mode`` or v2 ``items`` with operations)."""
import operator
from typing import Any

from core.workflow.errors import NodeError
from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.variables import CONVERSATION, empty_value

_V1_OPERATIONS = {"over-write": "over-write", "append": "append", "clear": "clear"}
_ARITHMETIC = {"+=": operator.add, "-=": operator.sub, "*=": operator.mul, "/=": operator.truediv}


def run(node: NodeRun) -> NodeResult:
    """Apply each assignment in order; outputs nothing, ``process_data.updated_variables`` lists changes."""
    updated = []
    for item in _items(node.data):
        selector = [str(part) for part in item.get("variable_selector") or []]
        name = _conversation_name(selector)
        current = node.pool.conversation.get(name)
        value = apply(item["operation"], current, _operand(node, item))
        node.pool.conversation.set(name, value)
        updated.append({"name": name, "selector": selector, "value": value})
    return NodeResult(process_data={"updated_variables": updated})


def apply(operation: str, current: Any, operand: Any) -> Any:
    """The new value of a variable after ``operation``. Raises NodeError when it does not apply."""
    if operation in ("over-write", "set"):
        return operand
    if operation == "clear":
        return empty_value(None, current)
    if operation == "append":
        return _as_list(current) + [operand]
    if operation == "extend":
        return _as_list(current) + _as_list(operand)
    if operation in ("remove-first", "remove-last"):
        items = _as_list(current)
        return items[1:] if operation == "remove-first" else items[:-1]
    if operation in ("+=", "-=", "*=", "/="):
        return _arithmetic(operation, current, operand)
    raise NodeError(f"Unsupported assigner operation '{operation}'", "AssignerError")


def _items(data: dict) -> list:
    if str(data.get("version") or "") == "2" or "items" in data:
        items = data.get("items") or []
        return [{**item, "operation": item.get("operation") or item.get("write_mode")} for item in items]
    mode = data.get("write_mode") or "over-write"
    return [{"variable_selector": data.get("assigned_variable_selector"), "operation": _V1_OPERATIONS.get(mode, mode),
             "input_type": "variable", "value": data.get("input_variable_selector")}]


def _operand(node: NodeRun, item: dict) -> Any:
    if item["operation"] in ("clear", "remove-first", "remove-last"):
        return None
    if item.get("input_type") == "constant":
        return item.get("value")
    return node.get(item.get("value"))


def _conversation_name(selector: list) -> str:
    if len(selector) < 2 or selector[0] != CONVERSATION:
        raise NodeError(f"Only conversation variables can be assigned, not {'.'.join(selector)}", "AssignerError")
    return selector[1]


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _arithmetic(operation: str, current: Any, operand: Any) -> Any:
    if not _is_number(current) or not _is_number(operand):
        raise NodeError(f"Operation '{operation}' needs numbers, got {current!r} and {operand!r}", "AssignerError")
    if operation == "/=" and operand == 0:
        raise NodeError("Division by zero", "AssignerError")
    return _ARITHMETIC[operation](current, operand)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
