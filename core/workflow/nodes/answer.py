"""answer: renders ``data.answer``; its text is streamed by the run's StreamCoordinator."""
from core.workflow.node_api import NodeResult, NodeRun


def run(node: NodeRun) -> NodeResult:
    """Outputs ``answer`` (the rendered template) and ``files`` (always empty here)."""
    return NodeResult(outputs={"answer": node.render(node.data.get("answer")), "files": []})
