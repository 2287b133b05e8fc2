"""iteration: error handling modes, nesting, empty and invalid inputs, stop inside a round."""
import pytest

from tests.workflow.support import code, edge, end, graph, node, run, start, template

PICKY = "def main(x):\n    if x == 2:\n        raise ValueError('two')\n    return {'y': x * 10}\n"


def _iteration(node_id: str, items: list, body: list, body_edges: list, output: list, **data) -> tuple[list, list]:
    """Nodes and edges of: start -> items code -> iteration(node_id) over them -> end(out)."""
    source = f"def main():\n    return {{'list': {items!r}}}\n"
    nodes = [start(), code("items", source, {"list": "array[any]"}),
             node(node_id, "iteration", iterator_selector=["items", "list"], output_selector=output,
                  start_node_id=f"{node_id}-start", **data),
             {"id": f"{node_id}-start", "parentId": node_id, "data": {"type": "iteration-start", "title": ""}},
             *[{"parentId": node_id, **n} for n in body], end(out=[node_id, "output"])]
    edges = [edge("start", "items"), edge("items", node_id), edge(node_id, "end"), *body_edges]
    return nodes, edges


@pytest.mark.parametrize("mode, status, output", [
    ("continue-on-error", "succeeded", [10, None, 30]),
    ("remove-abnormal-output", "succeeded", [10, 30]),
    ("terminated", "failed", None),
])
@pytest.mark.parametrize("parallel", [False, True])
def test_error_handle_modes(mode, status, output, parallel):
    body = [code("pick", PICKY, {"y": "number"}, x=["it", "item"])]
    nodes, edges = _iteration("it", [1, 2, 3], body, [edge("it-start", "pick")], ["pick", "y"],
                              error_handle_mode=mode, is_parallel=parallel, parallel_nums=3)

    result, events = run(graph(nodes, edges))

    assert result.status == status
    if output is None:
        assert result.error == "ValueError: two"
        assert events.of("iteration_completed")[0]["status"] == "failed"
    else:
        assert result.outputs == {"out": output}


def test_nested_iterations_and_item_index():
    inner = node("inner", "iteration", iterator_selector=["outer", "item"], output_selector=["fmt", "output"],
                 start_node_id="inner-start")
    body = [inner, {"id": "inner-start", "parentId": "inner", "data": {"type": "iteration-start"}},
            {**template("fmt", "{{ i }}:{{ v }}", i=["outer", "index"], v=["inner", "item"]), "parentId": "inner"}]
    nodes, edges = _iteration("outer", [["a", "b"], ["c"]], body,
                              [edge("outer-start", "inner"), edge("inner-start", "fmt")], ["inner", "output"],
                              flatten_output=False)

    result, _ = run(graph(nodes, edges))

    assert result.status == "succeeded", result.error
    assert result.outputs == {"out": [["0:a", "0:b"], ["1:c"]]}


def test_lists_of_lists_are_flattened_by_default():
    body = [code("pair", "def main(v):\n    return {'p': [v, v]}\n", {"p": "array[number]"}, v=["it", "item"])]
    nodes, edges = _iteration("it", [1, 2], body, [edge("it-start", "pair")], ["pair", "p"])
    result, _ = run(graph(nodes, edges))
    assert result.outputs == {"out": [1, 1, 2, 2]}


def test_empty_and_invalid_iterators():
    body = [template("t", "{{ v }}", v=["it", "item"])]
    empty_nodes, edges = _iteration("it", [], body, [edge("it-start", "t")], ["t", "output"])
    empty, events = run(graph(empty_nodes, edges))
    assert empty.outputs == {"out": []} and events.of("iteration_next") == []

    bad_nodes, edges = _iteration("it", [], body, [edge("it-start", "t")], ["t", "output"])
    bad_nodes[1] = code("items", "def main():\n    return {'list': 'abc'}\n", {"list": "string"})
    bad, _ = run(graph(bad_nodes, edges))
    assert bad.status == "failed" and "please provide a list" in bad.error
