"""template-transform: renders ``data.template`` with sandboxed Jinja2 over ``data.variables``.

Rendering runs in a sandbox process (``core.workflow.sandbox.templates``), so a template that
loops for ever or allocates without bound is killed at ``limits.template_timeout`` or the memory limit,
and a stop request ends it within one poll interval.
"""
from core.workflow.errors import NodeError
from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.sandbox import SandboxCancelled, SandboxError
from core.workflow.sandbox.templates import render_template


def run(node: NodeRun) -> NodeResult:
    """Outputs ``output``. Raises NodeError on template errors, time, memory or output beyond the limits."""
    variables = jinja_variables(node, node.data.get("variables"))
    output = render_jinja(node, node.data.get("template") or "", variables)
    return NodeResult(outputs={"output": output}, inputs=variables)


def jinja_variables(node: NodeRun, declarations: list | None) -> dict:
    """``{variable: value at value_selector}`` for ``[{variable, value_selector}]`` declarations."""
    return {str(v["variable"]): node.get(v.get("value_selector")) for v in declarations or [] if v.get("variable")}


def render_jinja(node: NodeRun, template: str, variables: dict) -> str:
    """Render a Jinja2 template in the sandbox process. Raises NodeError (RunAborted when the run stops)."""
    try:
        return render_template(template, variables, node.limits, node.cancelled)
    except SandboxCancelled:
        node.checkpoint()
        raise NodeError("Template rendering was cancelled", "TemplateCancelled")
    except SandboxError as exc:
        raise _template_error(exc, node.limits) from exc


def _template_error(exc: SandboxError, limits) -> NodeError:
    if exc.error_type == "CodeTimeout":
        return NodeError(f"Template rendering timed out after {limits.template_timeout:g}s", "TemplateTimeout")
    if exc.error_type == "CodeMemoryError":
        return NodeError(f"Template rendering exceeded the memory limit ({limits.code_memory_mb} MB)",
                         "TemplateMemoryError")
    if exc.error_type in ("OutputTooLong", "CodeOutputTooLarge"):
        return NodeError(f"Output length exceeds {limits.template_max_length} characters", "OutputTooLong")
    return NodeError(f"Template error: {exc.message}", "TemplateTransformError")
