"""The DSL graph (``workflow.graph``) as an indexed structure: nodes, edges, sub-graphs."""
from collections import deque
from dataclasses import dataclass, field

from core.workflow.errors import WorkflowError

BRANCHING_TYPES = frozenset({"if-else", "question-classifier"})
DEFAULT_HANDLE = "source"
FAIL_BRANCH = "fail-branch"


@dataclass(frozen=True)
class Edge:
    """A directed edge; ``handle`` is the source handle that selects it ("source" by default)."""

    id: str
    source: str
    target: str
    handle: str = DEFAULT_HANDLE


@dataclass
class Graph:
    """Nodes (by id) and edges of one scope: the top level, or the body of one iteration."""

    nodes: dict
    edges: list
    root_id: str
    all_nodes: dict = field(default_factory=dict)
    all_edges: list = field(default_factory=list)
    outgoing: dict = field(default_factory=dict)
    incoming: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for edge in self.edges:
            self.outgoing.setdefault(edge.source, []).append(edge)
            self.incoming.setdefault(edge.target, []).append(edge)
        reachable = self.reachable_from(self.root_id)
        # Edges from nodes the run can never reach would keep their targets waiting forever.
        for target, edges in self.incoming.items():
            self.incoming[target] = [edge for edge in edges if edge.source in reachable]

    @classmethod
    def from_dsl(cls, graph: dict) -> "Graph":
        """The top-level graph of a DSL ``workflow.graph``. Raises WorkflowError without a start node."""
        all_nodes = {str(n["id"]): n for n in graph.get("nodes") or [] if node_type(n) != "custom-note"}
        all_edges = [_edge(e) for e in graph.get("edges") or []]
        top = {nid: n for nid, n in all_nodes.items() if not parent_id(n)}
        starts = [nid for nid, n in top.items() if node_type(n) == "start"]
        if not starts:
            raise WorkflowError("The workflow has no start node")
        return cls(top, _edges_within(all_edges, top), starts[0], all_nodes, all_edges)

    def subgraph(self, iteration_id: str) -> "Graph":
        """The body of an iteration node, rooted at its iteration-start (or ``start_node_id``)."""
        body = {nid: n for nid, n in self.all_nodes.items() if parent_id(n) == iteration_id}
        data = self.all_nodes[iteration_id]["data"]
        root = str(data.get("start_node_id") or "")
        if root not in body:
            starts = [nid for nid, n in body.items() if node_type(n) == "iteration-start"]
            if not starts:
                raise WorkflowError(f"Iteration {iteration_id} has no start node")
            root = starts[0]
        return Graph(body, _edges_within(self.all_edges, body), root, self.all_nodes, self.all_edges)

    def reachable_from(self, node_id: str) -> set:
        """Ids of the nodes reachable from ``node_id`` (itself included)."""
        return self._walk(node_id, lambda _edge: True)

    def unconditional_from(self, node_id: str) -> set:
        """Nodes that will surely run once ``node_id`` succeeds (no branching node in between)."""
        return self._walk(node_id, lambda edge: not self._branches(edge.source))

    def _branches(self, node_id: str) -> bool:
        data = self.nodes[node_id]["data"]
        return node_type(self.nodes[node_id]) in BRANCHING_TYPES or data.get("error_strategy") == FAIL_BRANCH

    def _walk(self, node_id: str, follow) -> set:
        seen, queue = {node_id}, deque([node_id])
        while queue:
            for edge in self.outgoing.get(queue.popleft(), []):
                if edge.target not in seen and follow(edge):
                    seen.add(edge.target)
                    queue.append(edge.target)
        return seen

    def ancestors(self, node_id: str) -> set:
        """Nodes from which ``node_id`` can be reached (itself excluded)."""
        seen, queue = set(), deque([node_id])
        while queue:
            for edge in self.incoming.get(queue.popleft(), []):
                if edge.source not in seen:
                    seen.add(edge.source)
                    queue.append(edge.source)
        seen.discard(node_id)
        return seen


def node_type(node: dict) -> str:
    """A node's DSL type (``custom-note`` for sticky notes, whose data.type is empty)."""
    if node.get("type") == "custom-note":
        return "custom-note"
    return str((node.get("data") or {}).get("type") or "")


def node_title(node: dict) -> str:
    """The node's title, or its type when the title is empty."""
    return str(node["data"].get("title") or node_type(node))


def parent_id(node: dict) -> str | None:
    """The iteration containing ``node`` (``parentId`` or ``data.iteration_id``), else None."""
    parent = node.get("parentId") or (node.get("data") or {}).get("iteration_id")
    return str(parent) if parent else None


def _edge(raw: dict) -> Edge:
    source, target = str(raw["source"]), str(raw["target"])
    edge_id = str(raw.get("id") or f"{source}-{target}")
    return Edge(edge_id, source, target, str(raw.get("sourceHandle") or DEFAULT_HANDLE))


def _edges_within(edges: list, nodes: dict) -> list:
    return [e for e in edges if e.source in nodes and e.target in nodes]
