"""llm: renders the prompt (chat list or completion text, ``{{#...#}}``, context, jinja2) and streams the model."""
from core.workflow.errors import NodeError
from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.nodes.llm_call import complete, model_info
from core.workflow.nodes.template_transform import jinja_variables, render_jinja
from core.workflow.variables import to_text

DEFAULT_QUERY_TEMPLATE = "{{#sys.query#}}"


def run(node: NodeRun) -> NodeResult:
    """Outputs ``text``, ``usage`` and ``finish_reason``; tokens stream as they arrive."""
    messages = build_messages(node)
    if not messages:
        raise NodeError("The prompt of this LLM node is empty", "LLMNodeError")
    text, usage, finish_reason = complete(node, messages, stream_output="text")
    return NodeResult(
        outputs={"text": text, "usage": usage, "finish_reason": finish_reason},
        process_data={**model_info(node), "prompts": messages, "usage": usage, "finish_reason": finish_reason},
        tokens=usage.get("total_tokens") or 0,
    )


def build_messages(node: NodeRun) -> list[dict]:
    """OpenAI-format messages from ``prompt_template``, plus the user query when ``memory`` is set."""
    extra = {"context": context_text(node)}
    template = node.data.get("prompt_template")
    if isinstance(template, dict):
        items = [{**template, "role": "user"}]
    else:
        items = list(template or [])
    messages = [{"role": item.get("role") or "user", "content": _render(node, item, extra)} for item in items]
    memory = node.data.get("memory")
    if isinstance(memory, dict):
        query = node.render(memory.get("query_prompt_template") or DEFAULT_QUERY_TEMPLATE, extra)
        if query:
            messages.append({"role": "user", "content": query})
    return [message for message in messages if message["content"]]


def context_text(node: NodeRun) -> str:
    """The ``{{#context#}}`` text: the context variable (retrieval results joined by their content)."""
    context = node.data.get("context") or {}
    if not context.get("enabled"):
        return ""
    value = node.get(context.get("variable_selector"))
    if isinstance(value, list) and all(isinstance(item, dict) and "content" in item for item in value):
        return "\n".join(str(item["content"]) for item in value)
    return to_text(value)


def _render(node: NodeRun, item: dict, extra: dict) -> str:
    if item.get("edition_type") == "jinja2":
        declarations = (node.data.get("prompt_config") or {}).get("jinja2_variables")
        return render_jinja(node, item.get("jinja2_text") or "", jinja_variables(node, declarations))
    return node.render(item.get("text"), extra)
