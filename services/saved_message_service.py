"""Messages an end user saved in a completion app (spec §2.4)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from api.extensions import db
from models import Message, SavedMessage
from services.conversation_service import Page
from services.errors import InvalidParam, NotCompletionApp
from services.message_service import feedbacks_of, get_message


def require_completion_app(mode: str) -> None:
    """Raises NotCompletionApp unless `mode` is "completion"."""
    if mode != "completion":
        raise NotCompletionApp()


def _saved(app_id: str, end_user_id: str) -> sa.Select:
    return (sa.select(Message).join(SavedMessage, SavedMessage.message_id == Message.id)
            .where(SavedMessage.app_id == app_id, SavedMessage.created_by == end_user_id))


def list_saved_messages(app_id: str, end_user_id: str, *, last_id: str | None = None, limit: int = 20) -> Page:
    """Saved messages, newest message first, after the saved message `last_id`, as (message, feedback) pairs.

    Raises InvalidParam when `last_id` is not one of the end user's saved messages.
    """
    stmt = _saved(app_id, end_user_id)
    if last_id:
        if db.session.scalar(stmt.where(Message.id == last_id)) is None:
            raise InvalidParam("Last message not exists.")
        stmt = stmt.where(Message.id < last_id)
    rows = list(db.session.scalars(stmt.order_by(Message.id.desc()).limit(limit + 1)))
    feedbacks = feedbacks_of(end_user_id, [m.id for m in rows[:limit]])
    return Page([(m, feedbacks.get(m.id)) for m in rows[:limit]], len(rows) > limit)


def save_message(app_id: str, end_user_id: str, message_id: str) -> None:
    """Save the end user's message (idempotent). Raises MessageNotExists."""
    message = get_message(app_id, end_user_id, message_id)
    if db.session.scalar(_saved(app_id, end_user_id).where(Message.id == message.id)) is not None:
        return
    db.session.add(SavedMessage(app_id=app_id, message_id=message.id, created_by=end_user_id))
    try:
        db.session.commit()
    except IntegrityError:  # saved concurrently by another request: already the desired state
        db.session.rollback()


def delete_saved_message(app_id: str, end_user_id: str, message_id: str) -> None:
    """Forget the end user's saved message, if saved (idempotent)."""
    db.session.execute(sa.delete(SavedMessage).where(
        SavedMessage.app_id == app_id, SavedMessage.created_by == end_user_id,
        SavedMessage.message_id == message_id))
    db.session.commit()
