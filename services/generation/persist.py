"""Writing a run's outcome: the message row holds what the client saw."""
from __future__ import annotations

from typing import Any

from api.extensions import db
from models import Conversation, Message, utcnow


def save_outcome(message_id: str, answer: str, status: str, error: str | None, usage: dict[str, Any],
                 metadata: dict[str, Any]) -> None:
    """Store the answer, status, token counts and metadata; bump the conversation."""
    message = db.session.get(Message, message_id)
    if message is None:  # deleted meanwhile (conversation deleted by its owner)
        return
    message.answer, message.status, message.error = answer, status, error
    message.message_tokens = int(usage.get("prompt_tokens") or 0)
    message.answer_tokens = int(usage.get("completion_tokens") or 0)
    message.provider_response_latency = float(usage.get("latency") or 0.0)
    message.message_metadata = {**metadata, "usage": usage}
    if message.conversation_id:
        conversation = db.session.get(Conversation, message.conversation_id)
        if conversation is not None:
            conversation.updated_at = utcnow()
            conversation.dialogue_count = (conversation.dialogue_count or 0) + 1
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
