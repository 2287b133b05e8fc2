"""An end user's messages: history pages, feedback and suggested follow-up questions (spec §2.3).

Every function is scoped to (app_id, end_user_id): another user's message does not exist.
"""
from __future__ import annotations

import json
import re
from typing import Any, Mapping

import sqlalchemy as sa

from api.extensions import db
from core.llm import LLMError, chat
from core.llm.settings import DEMO
from models import CHAT_MODES, App, Conversation, Message, MessageFeedback
from services.conversation_service import Page, get_conversation, owned_conversations
from services.errors import (
    AppError,
    AppSuggestedQuestionsDisabled,
    CompletionRequestError,
    FirstMessageNotExists,
    InvalidParam,
    MessageNotExists,
    NotCompletionApp,
)
from services.llm_settings import provider_settings

MAX_QUESTIONS = 3
QUESTION_MAX_CHARS = 100
HISTORY_MESSAGES = 3
SUGGEST_PROMPT = (
    "Predict the three questions the user is most likely to ask next, each under 20 words, in the same "
    'language as the assistant\'s latest answer. Reply with a JSON array of strings only: ["q1","q2","q3"]'
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")
_QUOTES = "\"'`“”"


def get_message(app_id: str, end_user_id: str, message_id: str) -> Message:
    """The end user's message, unless its conversation was deleted. Raises MessageNotExists."""
    stmt = (sa.select(Message).outerjoin(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.id == message_id, Message.app_id == app_id, Message.from_end_user_id == end_user_id,
                   sa.or_(Conversation.id.is_(None), Conversation.is_deleted.is_(False))))
    found = db.session.scalar(stmt)
    if found is None:
        raise MessageNotExists()
    return found


def feedbacks_of(end_user_id: str, message_ids: list[str]) -> dict[str, MessageFeedback]:
    """The end user's feedback on each of `message_ids` that has one, by message id."""
    if not message_ids:
        return {}
    rows = db.session.scalars(sa.select(MessageFeedback).where(
        MessageFeedback.message_id.in_(message_ids), MessageFeedback.from_end_user_id == end_user_id))
    return {row.message_id: row for row in rows}


def list_messages(app_id: str, end_user_id: str, conversation_id: str, *, first_id: str | None = None,
                  limit: int = 20) -> Page:
    """The `limit` newest messages older than `first_id`, oldest first, as (message, feedback) pairs.

    Two statements (three with `first_id`): the page, with the ownership check inside, and the caller's feedbacks.
    Raises ConversationNotExists, FirstMessageNotExists.
    """
    owned = owned_conversations(app_id, end_user_id).where(Conversation.id == conversation_id).exists()
    stmt = sa.select(Message).where(Message.conversation_id == conversation_id, owned)
    if first_id:
        if db.session.scalar(sa.select(Message.id).where(Message.conversation_id == conversation_id,
                                                         Message.id == first_id, owned)) is None:
            get_conversation(app_id, end_user_id, conversation_id)  # ConversationNotExists comes first
            raise FirstMessageNotExists()
        # a row value over (conversation_id, id) only ix_messages_conversation_id can bound; `id < first_id`
        # alone lets the planner walk the primary key back through every other conversation's messages
        stmt = stmt.where(sa.tuple_(Message.conversation_id, Message.id) < (conversation_id, first_id))
    rows = list(db.session.scalars(stmt.order_by(Message.id.desc()).limit(limit + 1)))
    if not rows:
        get_conversation(app_id, end_user_id, conversation_id)  # an empty page: is the conversation there at all?
    page = list(reversed(rows[:limit]))
    feedbacks = feedbacks_of(end_user_id, [m.id for m in page])
    return Page([(m, feedbacks.get(m.id)) for m in page], len(rows) > limit)


def set_feedback(app_id: str, end_user_id: str, message_id: str, rating: str | None,
                 content: str | None) -> None:
    """Create, update, or (rating None) delete the end user's feedback on a message.

    Raises MessageNotExists, InvalidParam (rating None and no feedback to delete).
    """
    message = get_message(app_id, end_user_id, message_id)
    feedback = feedbacks_of(end_user_id, [message.id]).get(message.id)
    if rating is None and feedback is None:
        raise InvalidParam("rating cannot be None when feedback not exists")
    if rating is None:
        db.session.delete(feedback)
    elif feedback is None:
        db.session.add(MessageFeedback(app_id=app_id, conversation_id=message.conversation_id,
                                       message_id=message.id, rating=rating, content=content,
                                       from_source="user", from_end_user_id=end_user_id))
    else:
        feedback.rating, feedback.content = rating, content
    db.session.commit()


def suggested_questions(app: App, end_user_id: str, message_id: str, config: Mapping[str, Any]) -> list[str]:
    """Up to three follow-up questions for a message, asked of the app's model (blocking call).

    Raises NotCompletionApp (not a chat app: upstream's code), MessageNotExists,
    AppSuggestedQuestionsDisabled, CompletionRequestError (model failure, with the LLM error's code).
    """
    if app.mode not in CHAT_MODES:
        raise NotCompletionApp()
    message = get_message(app.id, end_user_id, message_id)
    if not _suggestions_enabled(app):
        raise AppSuggestedQuestionsDisabled()
    settings = provider_settings(app, config)
    if settings.provider == DEMO:  # the demo model only echoes: it has nothing to suggest
        return []
    try:
        result = chat(settings, [{"role": "system", "content": SUGGEST_PROMPT}, *_history(message)])
    except LLMError as error:
        raise _app_error(error) from None
    return parse_questions(result.text)


def _suggestions_enabled(app: App) -> bool:
    features = (app.workflow or {}).get("features") if app.mode == "advanced-chat" else app.model_config
    feature = (features or {}).get("suggested_questions_after_answer") or {}
    return isinstance(feature, dict) and bool(feature.get("enabled"))


def _history(message: Message) -> list[dict[str, str]]:
    """The last HISTORY_MESSAGES exchanges up to `message`, as chat messages."""
    rows = [message]
    if message.conversation_id:
        rows = list(db.session.scalars(
            sa.select(Message).where(Message.conversation_id == message.conversation_id, Message.id <= message.id)
            .order_by(Message.id.desc()).limit(HISTORY_MESSAGES)))
    turns: list[dict[str, str]] = []
    for row in reversed(rows):
        turns += [{"role": "user", "content": row.query}, {"role": "assistant", "content": row.answer}]
    return turns


def _app_error(error: LLMError) -> AppError:
    """The model failure as a domain error carrying the LLM error's own code and message."""
    app_error = CompletionRequestError(error.message)
    app_error.code = error.code
    return app_error


def parse_questions(text: str) -> list[str]:
    """Questions from a model reply: a JSON array of strings, else its non-empty lines without bullets.

    Keeps at most MAX_QUESTIONS, each cut to QUESTION_MAX_CHARS.
    """
    candidates = _json_array(text)
    if candidates is None:
        lines = (line for line in text.splitlines() if not line.strip().startswith("```"))
        candidates = [_BULLET.sub("", line).strip().strip(_QUOTES) for line in lines]
    questions = [item.strip()[:QUESTION_MAX_CHARS] for item in candidates if isinstance(item, str)]
    return [q for q in questions if q][:MAX_QUESTIONS]


def _json_array(text: str) -> list | None:
    start, end = text.find("["), text.rfind("]")
    if start < 0 or end <= start:
        return None
    try:
        value = json.loads(text[start:end + 1])
    except ValueError:
        return None
    return value if isinstance(value, list) else None
