"""Writing a run's outcome: the message row holds what the client saw.

Each write is one short transaction on a session of its own, retried on transient database errors (a
dropped connection, a failover, a serialization failure): a run never holds a connection while it streams.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from api.extensions import db
from models import Conversation, Message, utcnow
from services.db_errors import is_transient

log = logging.getLogger(__name__)
RETRY_DELAYS = (0.1, 0.3, 1.0)  # a save is tried len + 1 times, ~1.4 s in all, before it counts as failed
SAVE_FAILED = "The answer could not be saved."


def retried(write: Callable[..., None], *args: Any, delays: tuple[float, ...] = RETRY_DELAYS) -> None:
    """`write(*args)`, retried after each delay while it fails transiently; the session is removed after
    every attempt, so its connection goes back to the pool. Raises the last error."""
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            write(*args)
            return
        except sa_exc.SQLAlchemyError as exc:
            if delay is None or not is_transient(exc):
                raise
            log.warning("saving a run failed (attempt %d), retrying: %s", attempt, exc.__class__.__name__)
            time.sleep(delay)
        finally:
            db.session.remove()


def mark_failed(message_id: str, answer: str) -> None:
    """Last resort once saving the outcome failed: a still-running row becomes an error with what was streamed."""
    db.session.execute(sa.update(Message).where(Message.id == message_id, Message.status == "running")
                       .values(answer=answer, status="error", error=SAVE_FAILED))
    db.session.commit()


def save_outcome(message_id: str, answer: str, status: str, error: str | None, usage: dict[str, Any],
                 metadata: dict[str, Any]) -> None:
    """Store the answer, status, token counts and metadata; bump the conversation. Two UPDATEs, no reads
    (a message deleted meanwhile, with its conversation, is left alone)."""
    saved = db.session.execute(
        sa.update(Message).where(Message.id == message_id).returning(Message.conversation_id).values(
            answer=answer, status=status, error=error, message_tokens=int(usage.get("prompt_tokens") or 0),
            answer_tokens=int(usage.get("completion_tokens") or 0),
            provider_response_latency=float(usage.get("latency") or 0.0),
            message_metadata={**metadata, "usage": usage})).first()
    if saved is not None and saved.conversation_id:
        db.session.execute(sa.update(Conversation).where(Conversation.id == saved.conversation_id).values(
            updated_at=utcnow(), dialogue_count=sa.func.coalesce(Conversation.dialogue_count, 0) + 1))
    db.session.commit()


def discard(message_id: str, conversation_id: str | None, new_conversation: bool) -> None:
    """Remove the rows of a run that failed before producing anything."""
    message = db.session.get(Message, message_id)
    if message is not None:
        db.session.delete(message)
    if new_conversation and conversation_id:
        conversation = db.session.get(Conversation, conversation_id)
        if conversation is not None:
            db.session.delete(conversation)
    db.session.commit()
