"""template-transform: renders ``data.template`` with sandboxed Jinja2 over ``data.variables``."""
from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from core.workflow.errors import NodeError
from core.workflow.node_api import NodeResult, NodeRun

_MAX_REPEAT = 1_000_000
_MAX_EXPONENT = 10_000


class _BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus bounds on ``*`` and ``**`` so a template cannot exhaust memory."""

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


_ENVIRONMENT = _BoundedEnvironment(autoescape=False, keep_trailing_newline=True)


def run(node: NodeRun) -> NodeResult:
    """Outputs ``output``. Raises NodeError on template errors or output beyond the size limit."""
    variables = jinja_variables(node, node.data.get("variables"))
    output = render_jinja(node.data.get("template") or "", variables)
    if len(output) > node.limits.template_max_length:
        raise NodeError(f"Output length exceeds {node.limits.template_max_length} characters", "OutputTooLong")
    return NodeResult(outputs={"output": output}, inputs=variables)


def jinja_variables(node: NodeRun, declarations: list | None) -> dict:
    """``{variable: value at value_selector}`` for ``[{variable, value_selector}]`` declarations."""
    return {str(v["variable"]): node.get(v.get("value_selector")) for v in declarations or [] if v.get("variable")}


def render_jinja(template: str, variables: dict) -> str:
    """Render a Jinja2 template in the immutable sandbox. Raises NodeError."""
    try:
        return _ENVIRONMENT.from_string(template).render(**variables)
    except TemplateError as exc:
        raise NodeError(f"Template error: {exc}", "TemplateTransformError") from exc
