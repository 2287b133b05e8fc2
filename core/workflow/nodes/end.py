"""end: the run's outputs, read from ``data.outputs`` selectors."""
from core.workflow.node_api import NodeResult, NodeRun


def run(node: NodeRun) -> NodeResult:
    """Outputs ``{variable: value at value_selector}`` (None when the branch did not run)."""
    outputs = {}
    for output in node.data.get("outputs") or []:
        name = output.get("variable")
        if name is not None:
            outputs[str(name)] = node.get(output.get("value_selector"))
    return NodeResult(outputs=outputs, inputs=dict(outputs))
