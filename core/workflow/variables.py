"""The variable pool: ``sys.*``, ``env.*``, ``conversation.*`` and node outputs, by selector.

A selector is a list ``[node_id | "sys" | "env" | "conversation", name, *path]``. Templates
reference variables as ``{{#node_id.name#}}`` and render to text (objects and arrays as JSON).
"""
import json
import re
import threading
from typing import Any

TEMPLATE_REF = re.compile(r"\{\{#([\w-]{1,64}(?:\.[\w-]{1,64}){1,10})#\}\}")
SYSTEM, ENV, CONVERSATION = "sys", "env", "conversation"
_EMPTY_BY_TYPE = {"string": "", "number": 0, "integer": 0, "boolean": False, "object": {}, "secret": ""}


class ConversationStore:
    """Conversation variables shared by every scope of a run (thread-safe)."""

    def __init__(self, values: dict):
        self._values = dict(values)
        self._lock = threading.Lock()

    def get(self, name: str) -> Any:
        """The variable's value (None if undefined)."""
        with self._lock:
            return self._values.get(name)

    def set(self, name: str, value: Any) -> None:
        """Replace the variable's value."""
        with self._lock:
            self._values[name] = value

    def has(self, name: str) -> bool:
        """True when the variable is defined."""
        with self._lock:
            return name in self._values

    def snapshot(self) -> dict:
        """A copy of all values, by name."""
        with self._lock:
            return dict(self._values)


class VariablePool:
    """Values addressable by selector. A child pool (iteration body) reads through to its parent."""

    def __init__(self, system: dict, env: dict, conversation: ConversationStore, parent: "VariablePool | None" = None):
        self.system = {_strip_sys(key): value for key, value in (system or {}).items()}
        self.env = dict(env or {})
        self.conversation = conversation
        self.parent = parent
        self._nodes: dict = {}
        self._lock = threading.Lock()

    def child(self) -> "VariablePool":
        """A pool for one iteration round: own node outputs, shared sys/env/conversation."""
        return VariablePool(self.system, self.env, self.conversation, parent=self)

    def set_outputs(self, node_id: str, outputs: dict) -> None:
        """Record a node's outputs (replacing earlier ones in this pool)."""
        with self._lock:
            self._nodes[node_id] = dict(outputs or {})

    def has_node(self, node_id: str) -> bool:
        """True once ``node_id`` has outputs in this pool or a parent."""
        with self._lock:
            if node_id in self._nodes:
                return True
        return self.parent.has_node(node_id) if self.parent else False

    def get(self, selector: list | tuple | None) -> Any:
        """The value at ``selector``, or None when any part is missing."""
        if not selector or len(selector) < 2:
            return None
        head, name, path = str(selector[0]), str(selector[1]), list(selector[2:])
        if head == SYSTEM:
            return dig(self.system.get(name), path)
        if head == ENV:
            return dig(self.env.get(name), path)
        if head == CONVERSATION:
            return dig(self.conversation.get(name), path)
        return dig(self._node_value(head, name), path)

    def _node_value(self, node_id: str, name: str) -> Any:
        with self._lock:
            outputs = self._nodes.get(node_id)
        if outputs is not None:
            return outputs.get(name)
        return self.parent._node_value(node_id, name) if self.parent else None

    def render(self, template: str | None, extra: dict | None = None) -> str:
        """Replace every ``{{#a.b#}}`` by the text of its value; ``extra`` maps whole refs (e.g. "context")."""
        if not template:
            return ""
        text = str(template)
        for key, value in (extra or {}).items():
            text = text.replace("{{#" + key + "#}}", to_text(value))
        return TEMPLATE_REF.sub(lambda match: to_text(self.get(match.group(1).split("."))), text)


def template_segments(template: str | None) -> list:
    """Split a template into ``("text", str)`` and ``("ref", selector)`` parts, in order."""
    segments, position, text = [], 0, str(template or "")
    for match in TEMPLATE_REF.finditer(text):
        if match.start() > position:
            segments.append(("text", text[position:match.start()]))
        segments.append(("ref", match.group(1).split(".")))
        position = match.end()
    if position < len(text):
        segments.append(("text", text[position:]))
    return segments


def to_text(value: Any) -> str:
    """A value as template text: None is empty, objects/arrays are JSON, booleans lower-case."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def dig(value: Any, path: list) -> Any:
    """Follow ``path`` (keys, or indexes into lists) inside ``value``; None when it breaks."""
    for key in path:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and str(key).lstrip("-").isdigit() and -len(value) <= int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def empty_value(value_type: str | None, current: Any = None) -> Any:
    """The cleared value of a variable of ``value_type`` (inferred from ``current`` when unknown)."""
    if value_type and value_type.startswith("array"):
        return []
    if value_type in _EMPTY_BY_TYPE:
        return _EMPTY_BY_TYPE[value_type]
    if isinstance(current, (list, dict, str, bool)) or current is None:
        return type(current)() if current is not None else None
    return 0


def workflow_variables(workflow: dict) -> tuple[dict, dict]:
    """Defaults declared in a DSL ``workflow``: (conversation variables, environment variables) by name."""
    def by_name(items):
        return {str(v["name"]): v.get("value") for v in items or [] if isinstance(v, dict) and v.get("name")}
    return by_name(workflow.get("conversation_variables")), by_name(workflow.get("environment_variables"))


def _strip_sys(key: str) -> str:
    return key[4:] if key.startswith("sys.") else key
