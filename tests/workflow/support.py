"""Helpers for engine tests: sample loading, an event recorder, graph builders, LLM settings."""
import threading
import time
from pathlib import Path

import yaml

from core.llm import ProviderSettings
from core.workflow import RunContext, run_graph

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "dsl-samples"


def load_workflow(name: str) -> dict:
    """The ``workflow`` section of a DSL sample (by file stem)."""
    return yaml.safe_load((SAMPLES / f"{name}.yml").read_text(encoding="utf-8"))["workflow"]


class Recorder:
    """A thread-safe ``emit`` that keeps (event, data, monotonic time)."""

    def __init__(self):
        self.events: list = []
        self._lock = threading.Lock()

    def __call__(self, event: str, data: dict) -> None:
        with self._lock:
            self.events.append((event, data, time.monotonic()))

    def of(self, event: str) -> list[dict]:
        return [data for name, data, _ in self.events if name == event]

    def names(self) -> list[str]:
        return [name for name, _, _ in self.events]

    def text(self) -> str:
        return "".join(data["text"] for data in self.of("text_chunk"))

    def finished(self, node_id: str) -> dict:
        return next(data for data in self.of("node_finished") if data["node_id"] == node_id)


def run(graph: dict, inputs: dict | None = None, system: dict | None = None, **ctx_fields):
    """Run ``graph`` with a Recorder as ``emit``; returns (RunResult, Recorder)."""
    recorder = Recorder()
    ctx = RunContext(emit=recorder, **ctx_fields)
    return run_graph(graph, inputs or {}, system or {}, ctx), recorder


def settings_for(fake):
    """An ``llm_settings_for`` pointing every node at the FakeOpenAI ``fake``."""
    def settings(node_data: dict) -> ProviderSettings:
        model = (node_data.get("model") or {}).get("name") or "gpt-fake"
        return ProviderSettings(provider="openai", base_url=fake.base_url, api_key="sk-test", model=model,
                                connect_timeout=2.0, read_timeout=5.0, max_retries=0)
    return settings


def node(node_id: str, kind: str, **data) -> dict:
    """A graph node of type ``kind``."""
    return {"id": node_id, "data": {"type": kind, "title": data.pop("title", node_id), **data}}


def edge(source: str, target: str, handle: str = "source") -> dict:
    """An edge from ``source`` (through ``handle``) to ``target``."""
    return {"id": f"{source}-{handle}-{target}", "source": source, "target": target, "sourceHandle": handle}


def graph(nodes: list, edges: list) -> dict:
    return {"nodes": nodes, "edges": edges}


def chain(*nodes: dict) -> dict:
    """A linear graph through ``nodes`` in order."""
    return graph(list(nodes), [edge(a["id"], b["id"]) for a, b in zip(nodes, nodes[1:])])


def template(node_id: str, text: str, **variables) -> dict:
    """A template-transform node; ``variables`` map names to selectors."""
    declared = [{"variable": name, "value_selector": selector} for name, selector in variables.items()]
    return node(node_id, "template-transform", template=text, variables=declared)


def end(node_id: str = "end", **outputs) -> dict:
    """An end node; ``outputs`` map names to selectors."""
    return node(node_id, "end", outputs=[{"variable": k, "value_selector": v} for k, v in outputs.items()])


def start(node_id: str = "start", *names: str) -> dict:
    return node(node_id, "start", variables=[{"variable": name, "type": "text-input"} for name in names])


def code(node_id: str, source: str, outputs: dict | None = None, language: str = "python3", **variables) -> dict:
    """A code node; ``outputs`` map names to types, ``variables`` names to selectors."""
    return node(node_id, "code", code=source, code_language=language,
                outputs={k: {"type": t, "children": None} for k, t in (outputs or {}).items()},
                variables=[{"variable": k, "value_selector": v} for k, v in variables.items()])


def llm(node_id: str, prompt: str, **data) -> dict:
    return node(node_id, "llm", model={"provider": "openai", "name": "gpt-fake", "mode": "chat"},
                prompt_template=[{"role": "user", "text": prompt}], context={"enabled": False}, **data)


def message_text(body: dict, role: str) -> str:
    """The content of the last ``role`` message of a chat-completions request body."""
    contents = [m.get("content") or "" for m in body.get("messages") or [] if m.get("role") == role]
    return contents[-1] if contents else ""


def labelled_reply(body: dict):
    """A FakeOpenAI behaviour: "Reply to: <first line of the last message>" (JSON for extractors)."""
    from tests.support.fake_openai import Reply
    system = message_text(body, "system")
    if "extract structured parameters" in system:
        return Reply(text='Here you go:\n[{"name": "Step 1", "content": "Read"}, {"name": "Step 2", '
                          '"content": "Think"}, {"name": "Step 3", "content": "Answer"}]')
    last = (body.get("messages") or [{}])[-1].get("content") or ""
    return Reply(text=f"Reply to: {last.strip().splitlines()[0][:40] if last.strip() else ''}", chunk_size=3)
