"""Nodes that do nothing by themselves: iteration-start (a round's entry) and custom-note (a sticky note)."""
from core.workflow.node_api import NodeResult, NodeRun


def iteration_start(node: NodeRun) -> NodeResult:
    """The entry of an iteration body: no outputs."""
    return NodeResult()


def custom_note(node: NodeRun) -> NodeResult:
    """Sticky notes are dropped from the graph and never run; present for completeness."""
    return NodeResult()
