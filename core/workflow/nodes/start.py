"""start: exposes the run's inputs (declared variables, defaults applied) and ``sys.*`` values."""
from core.workflow.node_api import NodeResult, NodeRun


def run(node: NodeRun) -> NodeResult:
    """Outputs every input (numbers coerced for ``number`` variables) plus ``sys.<name>`` keys."""
    inputs = dict(node.state.inputs)
    outputs = dict(inputs)
    for variable in node.data.get("variables") or []:
        name = variable.get("variable")
        if not name:
            continue
        value = inputs.get(name)
        if value is None or value == "":
            value = variable.get("default", value)
        outputs[name] = _coerce(variable.get("type"), value)
    for key, value in node.pool.system.items():
        outputs[f"sys.{key}"] = value
    return NodeResult(outputs=outputs, inputs=inputs)


def _coerce(kind: str | None, value):
    if kind != "number" or not isinstance(value, str) or not value.strip():
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value else number
