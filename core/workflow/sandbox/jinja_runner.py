"""Renders Jinja2 templates in a sandbox process: one JSON line ``{code, inputs, max_length}`` per request on stdin.

``code`` is the template, ``inputs`` its variables. The immutable sandbox refuses unsafe attribute
access and bounds ``*`` and ``**``; rendering stops as soon as the output passes ``max_length`` characters.
Time and memory are bounded by the launching process (wall-clock kill, RLIMIT_AS), which is what makes
``range`` loops nested to billions of steps or ``'x'.center(10**9)`` fail fast.
Each outcome (``{"ok": true, "result": {"output": ...}}`` or ``{"ok": false, "error_type", "error"}``) is one
ASCII JSON line on stdout. The process serves requests until stdin closes.
"""
import json
import sys

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

_MAX_REPEAT = 1_000_000
_MAX_EXPONENT = 10_000


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus bounds on ``*`` and ``**`` (a clear error before the memory limit)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "*" and _repeat_size(left, right) > _MAX_REPEAT:
            raise SecurityError("the result of '*' would be too large")
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > _MAX_EXPONENT:
            raise SecurityError("the exponent of '**' is too large")
        return super().call_binop(context, operator, left, right)


def _repeat_size(left, right) -> int:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
            return len(sequence) * count
    return 0


def render(template: str, variables: dict, max_length: int) -> dict:
    """The outcome of rendering ``template``; stops early once the output is longer than ``max_length``."""
    environment = BoundedEnvironment(autoescape=False, keep_trailing_newline=True)
    pieces, length = [], 0
    try:
        for piece in environment.from_string(template).generate(**variables):
            length += len(piece)
            if length > max_length:
                return {"ok": False, "error_type": "OutputTooLong",
                        "error": f"Output length exceeds {max_length} characters"}
            pieces.append(piece)
    except TemplateError as exc:
        return {"ok": False, "error_type": type(exc).__name__, "error": str(exc)}
    except MemoryError:
        return {"ok": False, "error_type": "MemoryError", "error": "out of memory"}
    except Exception as exc:  # a template calling a method that raises, e.g. '{{ "a" | int(base=99) }}'
        return {"ok": False, "error_type": type(exc).__name__, "error": str(exc)}
    return {"ok": True, "result": {"output": "".join(pieces)}}


def serve() -> None:
    """Answer request lines until stdin closes."""
    for line in sys.stdin:
        request = json.loads(line)
        outcome = render(request["code"], request.get("inputs") or {}, int(request["max_length"]))
        sys.stdout.write(json.dumps(outcome) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
