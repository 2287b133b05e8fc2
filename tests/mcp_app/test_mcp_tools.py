"""`flask mcp` and an MCP tool node in a workflow run by a real RQ worker."""
from __future__ import annotations

import yaml

from tests.factories import auth_headers, passport
from tests.mcp.servers import start_sse
from tests.support.rq_worker import RQWorker, worker_env
from tests.support.sse import frames


def _workflow_dsl(server_name: str) -> str:
    nodes = [
        {"id": "start", "data": {"type": "start", "title": "Start", "variables": [
            {"variable": "a", "label": "a", "type": "number", "required": True},
            {"variable": "b", "label": "b", "type": "number", "required": True}]}},
        {"id": "add", "data": {"type": "tool", "title": "Add", "provider_type": "mcp",
                               "provider_id": server_name, "tool_name": "add", "tool_parameters": {
                                   "a": {"type": "variable", "value": ["start", "a"]},
                                   "b": {"type": "variable", "value": ["start", "b"]}}}},
        {"id": "end", "data": {"type": "end", "title": "End", "outputs": [
            {"variable": "sum", "value_selector": ["add", "text"]}]}},
    ]
    edges = [{"id": "e1", "source": "start", "target": "add"}, {"id": "e2", "source": "add", "target": "end"}]
    return yaml.safe_dump({"kind": "app", "version": "0.3.1", "app": {"mode": "workflow", "name": "MCP adder"},
                           "workflow": {"graph": {"nodes": nodes, "edges": edges}, "features": {}}})


def test_probe_lists_the_tools(runner, mcp_url):
    result = runner.invoke(args=["mcp", "probe", mcp_url])
    assert result.exit_code == 0, result.output
    assert "add:" in result.output and "echo:" in result.output and "protocol: 2025-11-25" in result.output


def test_probe_refuses_loopback_unless_allowed(app, runner, mcp_url):
    app.config["MCP_ALLOW_LOOPBACK"] = False
    result = runner.invoke(args=["mcp", "probe", mcp_url])
    assert result.exit_code != 0 and "loopback" in result.output.lower()


def test_workflow_tool_node_calls_the_mcp_tool(app, client, runner, mcp_url, backend_settings, tmp_path):
    dsl = tmp_path / "mcp.yml"
    dsl.write_text(_workflow_dsl("calc"))
    imported = runner.invoke(args=["apps", "import", str(dsl)])
    assert imported.exit_code == 0, imported.output
    code = imported.output.split("code=")[1].split()[0]
    added = runner.invoke(args=["mcp", "add", code, "calc", mcp_url])
    assert added.exit_code == 0 and "add" in added.output, added.output
    assert "calc\t" in runner.invoke(args=["mcp", "list", code]).output
    token = passport(client, code)
    assert "add" in client.get("/api/meta", headers=auth_headers(code, token)).get_json()["tool_icons"]
    with RQWorker(worker_env(backend_settings, MCP_ALLOW_LOOPBACK="true")):
        response = client.post("/api/workflows/run", headers=auth_headers(code, token), buffered=False,
                               json={"inputs": {"a": 2, "b": 40}, "response_mode": "streaming"})
        finished = [f for f in frames(response.response) if f.data][-1].data
    assert finished["event"] == "workflow_finished", finished
    assert finished["data"]["status"] == "succeeded", finished["data"]
    assert finished["data"]["outputs"] == {"sum": "42"}
    assert runner.invoke(args=["mcp", "remove", code, "calc"]).exit_code == 0


def test_probe_over_legacy_sse(runner):
    url, stop = start_sse(process=True)
    try:
        result = runner.invoke(args=["mcp", "probe", url])
    finally:
        stop()
    assert result.exit_code == 0, result.output
    assert "over sse" in result.output and "add:" in result.output
