"""tool: calls an MCP tool through the injected ``ctx.call_tool(provider_id, tool_name, arguments)``."""
from core.workflow.errors import NodeError, RunAborted
from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.variables import to_text


def run(node: NodeRun) -> NodeResult:
    """Outputs ``text``, ``files`` and ``json`` from the tool's result. Raises NodeError."""
    if node.ctx.call_tool is None:
        raise NodeError("MCP tools are not available on this server", "ToolNotConfigured")
    provider, tool_name = str(node.data.get("provider_id") or ""), str(node.data.get("tool_name") or "")
    arguments = tool_arguments(node)
    try:
        result = node.ctx.call_tool(provider, tool_name, arguments)
    except (NodeError, RunAborted):
        raise
    except Exception as exc:  # the injected MCP client: any failure is this node's failure
        raise NodeError(f"Tool '{tool_name}' failed: {exc}", type(exc).__name__) from exc
    return NodeResult(outputs=tool_outputs(result), inputs=arguments,
                      process_data={"provider_id": provider, "tool_name": tool_name})


def tool_arguments(node: NodeRun) -> dict:
    """Arguments from ``tool_configurations`` (constants) overlaid by ``tool_parameters`` (mixed/variable/constant)."""
    arguments = {}
    for name, value in (node.data.get("tool_configurations") or {}).items():
        arguments[name] = value.get("value") if isinstance(value, dict) and "value" in value else value
    for name, parameter in (node.data.get("tool_parameters") or {}).items():
        if not isinstance(parameter, dict):
            arguments[name] = parameter
        elif parameter.get("type") == "variable":
            arguments[name] = node.get(parameter.get("value"))
        elif parameter.get("type") == "mixed":
            arguments[name] = node.render(to_text(parameter.get("value")))
        else:
            arguments[name] = parameter.get("value")
    return arguments


def tool_outputs(result) -> dict:
    """Dify's tool outputs (text, files, json) from a call_tool result."""
    if not isinstance(result, dict):
        return {"text": to_text(result), "files": [], "json": []}
    text = result["text"] if "text" in result else to_text(result)
    json_items = result["json"] if "json" in result else ([] if "text" in result else [result])
    return {"text": to_text(text), "files": list(result.get("files") or []), "json": list(json_items or [])}
