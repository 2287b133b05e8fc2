"""Parse and validate Dify DSL exports (the YAML files behind ``flask apps import``).

Pure functions, no Flask, no database. ``parse_dsl`` either returns a ``DslApp`` that this
server can run or raises ``DslError`` naming the first part of the file it cannot run.
"""

from dataclasses import dataclass, field
from typing import Any

import yaml

APP_MODES = frozenset({"completion", "chat", "agent-chat", "advanced-chat", "workflow"})
WORKFLOW_MODES = frozenset({"advanced-chat", "workflow"})
MAX_DSL_MAJOR_VERSION = 0

SUPPORTED_NODE_TYPES = frozenset(
    {
        "start",
        "end",
        "answer",
        "llm",
        "template-transform",
        "if-else",
        "variable-aggregator",
        "variable-assigner",  # old name of variable-aggregator
        "assigner",
        "parameter-extractor",
        "question-classifier",
        "http-request",
        "iteration",
        "iteration-start",
        "code",
        "tool",  # MCP tools only, see check_tool_node
        "custom-note",  # UI sticky note, ignored by the engine
    }
)

SUPPORTED_TOOL_PROVIDER_TYPES = frozenset({"mcp"})

_NODE_TYPE_REASONS = {
    "": "the node has no data.type",
    "knowledge-retrieval": "knowledge bases are not supported by this server",
    "agent": "agent strategy plugins are not supported by this server",
    "loop": "loops are not supported by this server (use an iteration)",
    "loop-start": "loops are not supported by this server (use an iteration)",
    "loop-end": "loops are not supported by this server (use an iteration)",
}
_DEFAULT_NODE_TYPE_REASON = "this node type is not supported by this server"
_TOOL_REASON = "only MCP tools are supported by this server"


class DslError(Exception):
    """The DSL file cannot be imported; ``message`` says why, for a person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DslApp:
    """An importable app. Exactly one of ``model_config`` / ``workflow`` is set, by ``mode``."""

    mode: str
    name: str
    description: str = ""
    icon_type: str = "emoji"
    icon: str | None = None
    icon_background: str | None = None
    use_icon_as_answer_icon: bool = False
    model_config: dict | None = None
    workflow: dict | None = None
    dsl_version: str | None = None
    dependencies: list = field(default_factory=list)


def parse_dsl(text: str) -> DslApp:
    """Parse a DSL export (modern ``kind: app`` or old template format). Raises DslError."""
    data = _load_mapping(text)
    _check_kind(data)
    version = dsl_version(data)
    app = _section(data, "app")
    mode = _app_mode(app)
    workflow = model_config = None
    if mode in WORKFLOW_MODES:
        workflow = _section(data, "workflow")
        check_workflow(workflow)
    else:
        model_config = _section(data, "model_config")
        check_model_config(mode, model_config)
    return DslApp(
        mode=mode,
        name=str(app.get("name") or ""),
        description=str(app.get("description") or ""),
        icon_type=app.get("icon_type") or "emoji",
        icon=app.get("icon"),
        icon_background=app.get("icon_background"),
        use_icon_as_answer_icon=bool(app.get("use_icon_as_answer_icon", False)),
        model_config=model_config,
        workflow=workflow,
        dsl_version=version,
        dependencies=list(data.get("dependencies") or []),
    )


def dsl_version(data: dict) -> str | None:
    """The file's ``version`` as a string (None when absent). Raises DslError if newer than 0.x."""
    raw = data.get("version")
    if raw is None:
        return None
    version = str(raw).strip()
    major = version.split(".")[0]
    if not major.isdigit():
        raise DslError(f"Invalid DSL version '{version}'")
    if int(major) > MAX_DSL_MAJOR_VERSION:
        raise DslError(
            f"DSL version {version} is newer than this server understands "
            f"(up to {MAX_DSL_MAJOR_VERSION}.x): export the app from an older Dify or upgrade this server"
        )
    return version


def check_workflow(workflow: dict) -> None:
    """Check a ``workflow`` mapping has a graph with a start node and only runnable nodes. Raises DslError."""
    graph = workflow.get("graph")
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    if not isinstance(nodes, list) or not nodes:
        raise DslError("The workflow has no nodes (workflow.graph.nodes is missing or empty)")
    for node in nodes:
        check_node(node)
    if not any(node_type(node) == "start" for node in nodes):
        raise DslError("The workflow has no start node")


def check_node(node: Any) -> None:
    """Raise DslError unless the engine can run ``node`` (a graph node mapping)."""
    if not isinstance(node, dict) or not isinstance(node.get("data"), dict):
        raise DslError(f"Malformed workflow node (expected a mapping with 'id' and 'data'): {node!r:.120}")
    kind = node_type(node)
    if kind not in SUPPORTED_NODE_TYPES:
        reason = _NODE_TYPE_REASONS.get(kind, _DEFAULT_NODE_TYPE_REASON)
        where = f'node "{node_title(node)}", id {node.get("id")}'
        raise DslError(f"Unsupported node type '{kind}' ({where}): {reason}")
    if kind == "tool":
        check_tool_node(node)


def check_tool_node(node: dict) -> None:
    """Raise DslError unless the tool node calls an MCP tool."""
    data = node["data"]
    if data.get("provider_type") in SUPPORTED_TOOL_PROVIDER_TYPES:
        return
    provider = data.get("provider_id") or data.get("provider_name")
    where = f'node "{node_title(node)}" (id {node.get("id")})'
    raise DslError(
        f"Unsupported tool '{data.get('tool_name')}' from {_provider_kind(data)} provider '{provider}' "
        f"in {where}: {_TOOL_REASON}"
    )


def check_model_config(mode: str, model_config: dict) -> None:
    """Raise DslError if a completion/chat/agent-chat config needs knowledge bases or non-MCP tools."""
    datasets = _as_dict(_as_dict(model_config.get("dataset_configs")).get("datasets"))
    if datasets.get("datasets"):
        raise DslError("Unsupported knowledge base (model_config.dataset_configs): knowledge bases are not supported")
    agent_mode = _as_dict(model_config.get("agent_mode"))
    if mode == "agent-chat" or agent_mode.get("enabled"):
        for tool in agent_mode.get("tools") or []:
            check_agent_tool(tool)


def check_agent_tool(tool: Any) -> None:
    """Raise DslError unless an ``agent_mode.tools`` entry is disabled or an MCP tool."""
    if not isinstance(tool, dict) or tool.get("enabled") is False:
        return
    if "provider_type" not in tool:
        # Older exports list tools as {"<builtin tool name or 'dataset'>": {"enabled": ...}}
        name, config = next(iter(tool.items()), (None, None))
        if isinstance(config, dict) and config.get("enabled") is False:
            return
        if name == "dataset":
            raise DslError("Unsupported agent tool 'dataset': knowledge bases are not supported by this server")
        raise DslError(f"Unsupported agent tool '{name}' from builtin provider: {_TOOL_REASON}")
    if tool["provider_type"] in SUPPORTED_TOOL_PROVIDER_TYPES:
        return
    raise DslError(
        f"Unsupported agent tool '{tool.get('tool_name')}' from {_provider_kind(tool)} provider "
        f"'{tool.get('provider_id') or tool.get('provider_name')}': {_TOOL_REASON}"
    )


def node_type(node: dict) -> str:
    """A graph node's type: ``data.type``, or ``custom-note`` for sticky notes (whose data.type is '')."""
    if node.get("type") == "custom-note":
        return "custom-note"
    data = node.get("data")
    return str(data.get("type") or "") if isinstance(data, dict) else ""


def node_title(node: dict) -> str:
    """The node's title for messages (its type when the title is empty)."""
    return str(node["data"].get("title") or node_type(node))


def _provider_kind(tool: dict) -> str:
    """'plugin' for marketplace plugin tools (exported as builtin with an org/plugin/provider id)."""
    provider_type = tool.get("provider_type") or "unknown"
    provider_id = str(tool.get("provider_id") or "")
    if provider_type == "builtin" and ("/" in provider_id or tool.get("plugin_unique_identifier")):
        return "plugin"
    return provider_type


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _load_mapping(text: str) -> dict:
    """YAML text -> top-level mapping. Raises DslError."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DslError(f"The file is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise DslError("The file is not a Dify DSL export (expected a YAML mapping at the top level)")
    return data


def _check_kind(data: dict) -> None:
    kind = data.get("kind")
    if kind is not None and kind != "app":
        raise DslError(f"Unsupported DSL kind '{kind}': only 'app' exports can be imported")


def _section(data: dict, key: str) -> dict:
    """``data[key]`` as a mapping. Raises DslError when missing or not a mapping."""
    value = data.get(key)
    if not isinstance(value, dict):
        raise DslError(f"Missing or invalid '{key}' section")
    return value


def _app_mode(app: dict) -> str:
    mode = app.get("mode")
    if not mode:
        raise DslError("Missing app.mode")
    if mode not in APP_MODES:
        raise DslError(f"Unknown app mode '{mode}' (expected one of: {', '.join(sorted(APP_MODES))})")
    return mode
