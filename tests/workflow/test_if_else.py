"""if-else operators (Dify's operator strings) and case selection."""
import pytest

from core.workflow.nodes.conditions import compare
from tests.workflow.support import edge, end, graph, node, run, start, template


@pytest.mark.parametrize("operator, actual, expected, holds", [
    ("contains", "hello world", "world", True), ("contains", ["a", "b"], "b", True), ("contains", None, "x", False),
    ("not contains", "hello", "z", True), ("not contains", ["a"], "a", False), ("not contains", None, "x", True),
    ("start with", "hello", "he", True), ("start with", "hello", "lo", False), ("start with", None, "a", False),
    ("end with", "hello", "lo", True), ("end with", 5, "5", False),
    ("is", "abc", "abc", True), ("is", "abc", "ab", False), ("is", None, "", False), ("is", True, "true", True),
    ("is not", "abc", "x", True), ("is not", "abc", "abc", False), ("is not", None, "x", False),
    ("empty", "", None, True), ("empty", None, None, True), ("empty", [], None, True), ("empty", "x", None, False),
    ("not empty", "x", None, True), ("not empty", [], None, False), ("not empty", 0, None, True),
    ("in", "b", ["a", "b"], True), ("in", "z", ["a"], False), ("in", 2, ["1", "2"], True), ("in", None, ["a"], False),
    ("not in", "z", ["a"], True), ("not in", "a", ["a"], False),
    ("all of", ["a", "b", "c"], ["a", "c"], True), ("all of", ["a"], ["a", "b"], False),
    ("all of", "abc", ["a", "c"], True),
    ("=", 1, "1", True), ("=", "2.0", "2", True), ("=", 1, "2", False), ("=", None, "1", False),
    ("≠", 1, "2", True), ("≠", 1, "1", False), ("≠", None, "1", False),
    (">", 3, "2", True), (">", "10", "9", True), (">", 1, "2", False), (">", "abc", "1", False),
    ("<", 1, "2", True), ("≥", 2, "2", True), ("≥", 1, "2", False), ("≤", 2, "2", True), ("≤", 3, "2", False),
    ("null", None, None, True), ("null", "", None, False), ("not null", "", None, True),
    ("exists", 0, None, True), ("not exists", None, None, True),
])
def test_operator_table(operator, actual, expected, holds):
    assert compare(operator, actual, expected) is holds


def test_unknown_operator_fails_the_node():
    cases = [{"case_id": "a", "conditions": [{"variable_selector": ["start", "x"], "comparison_operator": "~~"}]}]
    nodes = [start("start", "x"), node("if", "if-else", cases=cases), end(r=["if", "result"])]
    result, _ = run(graph(nodes, [edge("start", "if"), edge("if", "end", "a"), edge("if", "end", "false")]), {"x": 1})
    assert result.status == "failed" and "Unsupported comparison operator '~~'" in result.error


def _router(cases=None, **old_shape) -> dict:
    data = {"cases": cases} if cases is not None else old_shape
    nodes = [start("start", "age", "name"), node("if", "if-else", **data),
             template("adult", "adult"), template("minor", "minor"), template("named", "named"),
             node("agg", "variable-aggregator",
                  variables=[["named", "output"], ["adult", "output"], ["minor", "output"]]),
             end(out=["agg", "output"], case=["if", "selected_case_id"])]
    edges = [edge("start", "if"), edge("if", "named", "by-name"), edge("if", "adult", "grown"),
             edge("if", "adult", "true"),
             edge("if", "minor", "false"), edge("adult", "agg"), edge("minor", "agg"), edge("named", "agg"),
             edge("agg", "end")]
    return graph(nodes, edges)


CASES = [
    {"case_id": "by-name", "logical_operator": "and", "conditions": [
        {"variable_selector": ["start", "name"], "comparison_operator": "start with", "value": "Dr"},
        {"variable_selector": ["start", "age"], "comparison_operator": ">", "value": "30"}]},
    {"case_id": "grown", "logical_operator": "or", "conditions": [
        {"variable_selector": ["start", "age"], "comparison_operator": "≥", "value": "18"},
        {"variable_selector": ["start", "name"], "comparison_operator": "is", "value": "{{#start.age#}}"}]},
]


@pytest.mark.parametrize("inputs, out, case", [
    ({"age": 40, "name": "Dr. Who"}, "named", "by-name"),
    ({"age": 20, "name": "Dr. No"}, "adult", "grown"),
    ({"age": 7, "name": "7"}, "adult", "grown"),  # the condition value is a template
    ({"age": 7, "name": "Tim"}, "minor", "false"),
])
def test_first_matching_case_wins(inputs, out, case):
    result, _ = run(_router(CASES), inputs)
    assert result.status == "succeeded", result.error
    assert result.outputs == {"out": out, "case": case}


def test_old_single_case_shape_uses_handle_true():
    conditions = [{"variable_selector": ["start", "age"], "comparison_operator": "≥", "value": "18"}]
    adult, _ = run(_router(conditions=conditions, logical_operator="and"), {"age": 30})
    minor, _ = run(_router(conditions=conditions, logical_operator="and"), {"age": 3})
    assert adult.outputs == {"out": "adult", "case": "true"}
    assert minor.outputs == {"out": "minor", "case": "false"}
