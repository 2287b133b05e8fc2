"""question-classifier: asks the model which class the query belongs to; the class id is the edge handle."""
import json
import re

from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.nodes.json_parse import extract_json
from core.workflow.nodes.llm_call import complete, model_info
from core.workflow.variables import to_text

_SYSTEM_PROMPT = """You are a text classification engine. Classify the user's text into exactly one category.
Categories:
{categories}
{instruction}
Reply with ONLY a JSON object: {{"category_id": "<id>", "category_name": "<name>"}}"""


def run(node: NodeRun) -> NodeResult:
    """Outputs ``class_name``, ``class_id`` and ``usage``; falls back to the first class when unsure."""
    classes = [c for c in node.data.get("classes") or [] if c.get("id") is not None]
    query = to_text(node.get(node.data.get("query_variable_selector")))
    messages = [{"role": "system", "content": _system_prompt(node, classes)}, {"role": "user", "content": query}]
    text, usage, _ = complete(node, messages)
    chosen = pick_class(classes, text)
    class_id = str(chosen["id"]) if chosen else "false"
    outputs = {"class_name": chosen.get("name") if chosen else "", "class_id": class_id, "usage": usage}
    return NodeResult(outputs=outputs, inputs={"query": query}, handle=class_id,
                      process_data={**model_info(node), "prompts": messages, "llm_text": text, "usage": usage},
                      tokens=usage.get("total_tokens") or 0)


def pick_class(classes: list, text: str) -> dict | None:
    """The class named by the model's reply (by id, then by name), else the first class."""
    reply = extract_json(text)
    if isinstance(reply, dict):
        wanted_id = str(reply.get("category_id") or "").strip()
        wanted_name = str(reply.get("category_name") or "").strip().lower()
        for cls in classes:
            if str(cls["id"]) == wanted_id or str(cls.get("name") or "").strip().lower() == wanted_name:
                return cls
    for cls in classes:
        if _mentions(text or "", cls):
            return cls
    return classes[0] if classes else None


def _mentions(text: str, cls: dict) -> bool:
    """True when free text names the class (its name, or its id as a whole word if it is not tiny)."""
    name = str(cls.get("name") or "").strip().lower()
    if name and name in text.lower():
        return True
    class_id = str(cls["id"])
    return len(class_id) > 3 and re.search(rf"\b{re.escape(class_id)}\b", text) is not None


def _system_prompt(node: NodeRun, classes: list) -> str:
    categories = [{"category_id": str(c["id"]), "category_name": c.get("name") or ""} for c in classes]
    instruction = node.render(node.data.get("instructions") or node.data.get("instruction"))
    extra = f"Instructions:\n{instruction}\n" if instruction else ""
    return _SYSTEM_PROMPT.format(categories=json.dumps(categories, ensure_ascii=False), instruction=extra)
