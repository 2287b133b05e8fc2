"""if-else: picks the first case whose conditions hold; its ``case_id`` is the edge handle ("false" if none)."""
from core.workflow.errors import NodeError
from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.nodes.conditions import compare

ELSE_HANDLE = "false"


def run(node: NodeRun) -> NodeResult:
    """Outputs ``result`` (a case matched) and ``selected_case_id``. Raises NodeError on a bad operator."""
    checked = []
    for case in cases(node.data):
        if _case_holds(node, case, checked):
            case_id = str(case.get("case_id") or case.get("id"))
            return _result(True, case_id, checked)
    return _result(False, ELSE_HANDLE, checked)


def cases(data: dict) -> list:
    """``data.cases``, or the old single-case shape (``conditions`` + ``logical_operator``) as case "true"."""
    if data.get("cases"):
        return list(data["cases"])
    conditions = data.get("conditions") or []
    return [{"case_id": "true", "logical_operator": data.get("logical_operator") or "and", "conditions": conditions}]


def _case_holds(node: NodeRun, case: dict, checked: list) -> bool:
    conditions = case.get("conditions") or []
    if not conditions:
        return False
    is_and = (case.get("logical_operator") or "and") == "and"
    for condition in conditions:
        holds = _condition_holds(node, condition, checked)
        if holds != is_and:
            return holds
    return is_and


def _condition_holds(node: NodeRun, condition: dict, checked: list) -> bool:
    actual = node.get(condition.get("variable_selector"))
    expected = condition.get("value")
    if isinstance(expected, str):
        expected = node.render(expected)
    operator = str(condition.get("comparison_operator") or "")
    try:
        holds = compare(operator, actual, expected)
    except ValueError as exc:
        raise NodeError(str(exc), "IfElseNodeError") from exc
    checked.append({"actual_value": actual, "expected_value": expected, "comparison_operator": operator,
                    "result": holds})
    return holds


def _result(matched: bool, case_id: str, checked: list) -> NodeResult:
    return NodeResult(outputs={"result": matched, "selected_case_id": case_id},
                      process_data={"condition_results": checked}, handle=case_id)
