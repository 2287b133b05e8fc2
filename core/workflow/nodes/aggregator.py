"""variable-aggregator (formerly variable-assigner): the first non-null value among selectors."""
from core.workflow.node_api import NodeResult, NodeRun


def run(node: NodeRun) -> NodeResult:
    """Outputs ``output``, or ``{group_name: {"output": ...}}`` when groups are enabled."""
    settings = node.data.get("advanced_settings") or {}
    if settings.get("group_enabled"):
        outputs = {}
        for group in settings.get("groups") or []:
            outputs[str(group.get("group_name"))] = {"output": _first(node, group.get("variables"))}
        return NodeResult(outputs=outputs)
    return NodeResult(outputs={"output": _first(node, node.data.get("variables"))})


def _first(node: NodeRun, selectors: list | None):
    for selector in selectors or []:
        value = node.get(selector)
        if value is not None:
            return value
    return None
