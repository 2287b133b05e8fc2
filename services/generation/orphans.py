"""Ending a completion or chat run whose producing process is gone (killed, or its last flush failed).

Any process following the run's log may call `end_orphan` once the run's heartbeat has expired:
exactly one of them records the outcome from the stored message (a still-running message keeps the
answer the log holds and becomes an error) and appends the terminal events every follower waits for.
"""
from __future__ import annotations

from typing import Any

import redis

from api.extensions import db
from core.task_channel import TaskChannel, is_terminal, logged_events
from models import Message, to_timestamp
from services.generation import persist, task_registry
from services.generation.events import Envelope

INTERRUPTED = "The server running this answer stopped before it finished."
INTERRUPTED_CODE = "run_interrupted"
Entry = tuple[int, dict[str, Any]]


def end_orphan(client: redis.Redis, task_id: str, retention: int, seen: int) -> Entry | None:
    """(seq, event) of the terminal event ending `task_id`'s log, written now if missing (numbered after
    `seen`, the last seq the asking client got); None if another process is writing it.

    Call inside an app context, only once the run's heartbeat has expired.
    """
    logged = logged_events(client, task_id)
    if logged and is_terminal(logged[-1][1]):
        return logged[-1]
    if not task_registry.claim_orphan(client, task_id):
        return None
    channel = TaskChannel(client, task_id, retention)
    channel.resume_numbering(at_least=seen)  # the dead producer may have sent `seen` live, never logged
    entry = None
    for event in _closing_events(task_id, _answer_of([event for _, event in logged])):
        entry = (channel.publish(event), event)
    channel.flush(final=True)
    return entry


def _answer_of(events: list[dict[str, Any]]) -> str:
    return "".join(e.get("answer", "") for e in events if e.get("event") in ("message", "agent_message"))


def _closing_events(task_id: str, logged_answer: str) -> list[dict[str, Any]]:
    message = db.session.execute(db.select(Message).filter_by(task_id=task_id)).scalar_one_or_none()
    if message is None:  # its rows were discarded: the run failed before answering
        return [{"event": "error", "task_id": task_id, "code": INTERRUPTED_CODE, "status": 400,
                 "message": INTERRUPTED}]
    if message.status == "running":
        persist.save_outcome(message.id, logged_answer, "error", INTERRUPTED, {}, {})
    env = Envelope(task_id=task_id, message_id=message.id, conversation_id=message.conversation_id,
                   created_at=to_timestamp(message.created_at), mode=message.mode)
    events = []
    if (message.answer or "") != logged_answer:  # the log lost the tail of the answer: send it whole
        events.append({**env.base("message_replace"), "task_id": task_id, "answer": message.answer or ""})
    if message.status == "error":
        events.append(env.error(INTERRUPTED_CODE if message.error == INTERRUPTED else "completion_request_error",
                                message.error or INTERRUPTED, 400))
    else:
        events.append(env.message_end(dict(message.message_metadata or {})))
    return events
