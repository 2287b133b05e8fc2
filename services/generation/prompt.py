"""Prompt assembly: the app's pre-prompt with {{variables}}, conversation memory, the query."""
from __future__ import annotations

import re
from typing import Any

from api.extensions import db
from core.llm import count_tokens
from models import Message

PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]{0,63})\s*\}\}")
HISTORY_SCAN_LIMIT = 50


def render(template: str, inputs: dict[str, Any]) -> str:
    """Replace {{name}} with the input's value; unknown names become empty."""
    return PLACEHOLDER.sub(lambda m: str(inputs.get(m.group(1), "") or ""), template or "")


def history(conversation_id: str, before_id: str, budget_tokens: int) -> list[dict[str, str]]:
    """The most recent finished turns before message `before_id` that fit in `budget_tokens`, oldest first."""
    rows = db.session.execute(
        db.select(Message.query, Message.answer)
        .where(Message.conversation_id == conversation_id, Message.id < before_id,
               Message.status.in_(("normal", "stopped")))
        .order_by(Message.id.desc()).limit(HISTORY_SCAN_LIMIT)).all()
    turns: list[dict[str, str]] = []
    used = 0
    for query, answer in rows:
        cost = count_tokens(query) + count_tokens(answer)
        if used + cost > budget_tokens:
            break
        used += cost
        turns[:0] = [{"role": "user", "content": query}, {"role": "assistant", "content": answer}]
    return turns


def chat_messages(pre_prompt: str, inputs: dict[str, Any], past: list[dict[str, str]],
                  query: str) -> list[dict[str, str]]:
    """System prompt from the pre-prompt, then the remembered turns, then the query."""
    system = render(pre_prompt, inputs).strip()
    head = [{"role": "system", "content": system}] if system else []
    return head + past + [{"role": "user", "content": query}]


def completion_messages(pre_prompt: str, inputs: dict[str, Any], query: str) -> list[dict[str, str]]:
    """A completion app's prompt: the rendered pre-prompt (and the query, when one is given)."""
    text = render(pre_prompt, inputs).strip()
    if query:
        text = f"{text}\n\n{query}" if text else query
    return [{"role": "user", "content": text or "Hello"}]
