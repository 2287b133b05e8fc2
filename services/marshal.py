"""JSON shapes of conversations, messages and saved messages on the wire (spec §2.2-2.4)."""
from __future__ import annotations

from typing import Any

from models import Conversation, Message, MessageFeedback, to_timestamp


def page_dict(limit: int, has_more: bool, data: list[dict[str, Any]]) -> dict[str, Any]:
    """The infinite-scroll envelope `{"limit", "has_more", "data"}`."""
    return {"limit": limit, "has_more": has_more, "data": data}


def conversation_dict(conversation: Conversation) -> dict[str, Any]:
    """SimpleConversation."""
    return {
        "id": conversation.id,
        "name": conversation.name,
        "inputs": conversation.inputs or {},
        "status": conversation.status,
        "introduction": conversation.introduction,
        "created_at": to_timestamp(conversation.created_at),
        "updated_at": to_timestamp(conversation.updated_at),
    }


def feedback_dict(feedback: MessageFeedback | None) -> dict[str, str] | None:
    """`{"rating"}` of one end user's feedback, or None."""
    return {"rating": feedback.rating} if feedback is not None else None


def message_dict(message: Message, feedback: MessageFeedback | None) -> dict[str, Any]:
    """WebMessageListItem; `feedback` is the caller's own feedback on the message."""
    metadata = message.message_metadata or {}
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "parent_message_id": message.parent_message_id,
        "inputs": message.inputs or {},
        "query": message.query,
        "answer": message.answer,
        "feedback": feedback_dict(feedback),
        "retriever_resources": metadata.get("retriever_resources") or [],
        "created_at": to_timestamp(message.created_at),
        "agent_thoughts": [{**t, "message_id": message.id, "chain_id": None, "files": t.get("message_files", []),
                            "created_at": to_timestamp(message.created_at)}
                           for t in metadata.get("agent_thoughts") or []],
        "message_files": [],
        # The wire knows only "normal" and "error"; stopped and running answers read as normal.
        "status": "error" if message.status == "error" else "normal",
        "error": message.error,
        "metadata": metadata,
    }


def saved_message_dict(message: Message, feedback: MessageFeedback | None) -> dict[str, Any]:
    """A saved-message item; its `id` is the message id."""
    return {
        "id": message.id,
        "inputs": message.inputs or {},
        "query": message.query,
        "answer": message.answer,
        "message_files": [],
        "feedback": feedback_dict(feedback),
        "created_at": to_timestamp(message.created_at),
    }
