"""Comparison operators of if-else conditions, with Dify's operator strings and null handling."""
from typing import Any, Callable


def _contains(actual: Any, expected: Any) -> bool:
    if actual is None or expected is None:
        return False
    if isinstance(actual, str):
        return str(expected) in actual
    if isinstance(actual, (list, tuple, set, dict)):
        return expected in actual or str(expected) in [str(item) for item in actual]
    return False


def _starts(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and actual.startswith(str(expected or ""))


def _ends(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and actual.endswith(str(expected or ""))


def _is(actual: Any, expected: Any) -> bool:
    if actual is None:
        return False
    if isinstance(actual, bool):
        return actual == _as_bool(expected)
    return str(actual) == str(expected) if not isinstance(actual, str) else actual == str(expected)


def _empty(actual: Any, _expected: Any = None) -> bool:
    return actual is None or (hasattr(actual, "__len__") and len(actual) == 0)


def _in(actual: Any, expected: Any) -> bool:
    if actual is None or expected is None:
        return False
    if isinstance(expected, str):
        return str(actual) in expected
    return actual in expected or str(actual) in [str(item) for item in expected]


def _all_of(actual: Any, expected: Any) -> bool:
    if actual is None or not isinstance(expected, (list, tuple)):
        return False
    return all(_contains(actual, item) for item in expected)


def _number_compare(compare: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def check(actual: Any, expected: Any) -> bool:
        left, right = _as_number(actual), _as_number(expected)
        return left is not None and right is not None and compare(left, right)
    return check


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is not None and _as_bool(actual) == _as_bool(expected)
    return _number_compare(lambda a, b: a == b)(actual, expected)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "contains": _contains,
    "not contains": lambda a, e: not _contains(a, e),
    "start with": _starts,
    "end with": _ends,
    "is": _is,
    "is not": lambda a, e: a is not None and not _is(a, e),
    "empty": _empty,
    "not empty": lambda a, e: not _empty(a),
    "in": _in,
    "not in": lambda a, e: a is not None and not _in(a, e),
    "all of": _all_of,
    "=": _equal,
    "≠": lambda a, e: a is not None and not _equal(a, e),
    ">": _number_compare(lambda a, b: a > b),
    "<": _number_compare(lambda a, b: a < b),
    "≥": _number_compare(lambda a, b: a >= b),
    "≤": _number_compare(lambda a, b: a <= b),
    "null": lambda a, e: a is None,
    "not null": lambda a, e: a is not None,
    "exists": lambda a, e: a is not None,
    "not exists": lambda a, e: a is None,
}
ALIASES = {"!=": "≠", ">=": "≥", "<=": "≤", "==": "=", "is null": "null", "is not null": "not null",
           "not_empty": "not empty", "start_with": "start with", "end_with": "end with"}


def compare(operator: str, actual: Any, expected: Any) -> bool:
    """Evaluate ``actual <operator> expected``. Raises ValueError for an unknown operator."""
    name = ALIASES.get(operator, operator)
    if name not in OPERATORS:
        raise ValueError(f"Unsupported comparison operator '{operator}'")
    return OPERATORS[name](actual, expected)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
