"""An end user's conversations: listing, naming, pinning and deleting (spec §2.2).

Every function is scoped to (app_id, end_user_id): another user's conversation does not exist.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping, NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from api.extensions import db
from core.llm import LLMError, chat
from core.llm.settings import DEMO
from models import CHAT_MODES, App, Conversation, Message, PinnedConversation
from services.errors import ConversationNotExists, InvalidParam, LastConversationNotExists, NotChatApp
from services.llm_settings import provider_settings

log = logging.getLogger(__name__)

SORT_KEYS = ("created_at", "-created_at", "updated_at", "-updated_at")
TITLE_MAX_CHARS = 30
TITLE_PROMPT = (
    "You name chat conversations. Reply with a short title for a conversation that starts with the user's "
    f"message below: at most {TITLE_MAX_CHARS} characters, in the language of that message, "
    "with no quotes and no explanation."
)
_QUOTES = "\"'`“”‘’«»「」*# "


class Page(NamedTuple):
    """One page of a keyset-paginated list."""

    items: list[Any]
    has_more: bool


def require_chat_app(mode: str) -> None:
    """Raises NotChatApp unless `mode` is a chat-family mode."""
    if mode not in CHAT_MODES:
        raise NotChatApp()


def owned_conversations(app_id: str, end_user_id: str) -> sa.Select:
    """The select of this end user's visible (web, non-deleted) conversations of the app."""
    return sa.select(Conversation).where(
        Conversation.app_id == app_id, Conversation.from_end_user_id == end_user_id,
        Conversation.from_source == "api", Conversation.is_deleted.is_(False),
        sa.or_(Conversation.invoke_from.is_(None), Conversation.invoke_from == "web-app"))


def get_conversation(app_id: str, end_user_id: str, conversation_id: str) -> Conversation:
    """The end user's conversation. Raises ConversationNotExists."""
    found = db.session.scalar(owned_conversations(app_id, end_user_id).where(Conversation.id == conversation_id))
    if found is None:
        raise ConversationNotExists()
    return found


def list_conversations(app_id: str, end_user_id: str, *, last_id: str | None = None, limit: int = 20,
                       pinned: bool | None = None, sort_by: str = "-updated_at") -> Page:
    """A page of conversations after `last_id` in `sort_by` order, ties broken by id.

    `pinned` True/False keeps only pinned/unpinned ones. Raises LastConversationNotExists.
    """
    column = getattr(Conversation, sort_by.lstrip("-"))
    descending = sort_by.startswith("-")
    stmt = owned_conversations(app_id, end_user_id)
    if pinned is not None:
        pinned_ids = sa.select(PinnedConversation.conversation_id).where(PinnedConversation.created_by == end_user_id)
        stmt = stmt.where(Conversation.id.in_(pinned_ids) if pinned else Conversation.id.not_in(pinned_ids))
    if last_id:
        stmt = stmt.where(_after(column, descending, _cursor(app_id, end_user_id, last_id)))
    order = (column.desc(), Conversation.id.desc()) if descending else (column.asc(), Conversation.id.asc())
    rows = list(db.session.scalars(stmt.order_by(*order).limit(limit + 1)))
    return Page(rows[:limit], len(rows) > limit)


def _cursor(app_id: str, end_user_id: str, last_id: str) -> Conversation:
    try:
        return get_conversation(app_id, end_user_id, last_id)
    except ConversationNotExists:
        raise LastConversationNotExists() from None


def _after(column: Any, descending: bool, cursor: Conversation) -> sa.ColumnElement[bool]:
    """Rows strictly after `cursor` in (column, id) order: a row-value comparison, one index range."""
    key, value = sa.tuple_(column, Conversation.id), (getattr(cursor, column.key), cursor.id)
    return key < value if descending else key > value


def delete_conversation(app_id: str, end_user_id: str, conversation_id: str) -> None:
    """Soft-delete the end user's conversation. Raises ConversationNotExists."""
    get_conversation(app_id, end_user_id, conversation_id).is_deleted = True
    db.session.commit()


def rename_conversation(app: App, end_user_id: str, conversation_id: str, name: str | None,
                        auto_generate: bool, config: Mapping[str, Any]) -> Conversation:
    """Rename a conversation, or with `auto_generate` ask the app's model for a title.

    A failed model call keeps the old name. Calls the LLM (blocking) when auto-generating.
    Raises ConversationNotExists, InvalidParam (blank name without auto_generate).
    """
    conversation = get_conversation(app.id, end_user_id, conversation_id)
    if auto_generate:
        name = _generated_title(app, conversation.id, config) or conversation.name
    elif not (name or "").strip():
        raise InvalidParam("name is required when auto_generate is false")
    conversation.name = name.strip()[:255]
    db.session.commit()
    return conversation


def _generated_title(app: App, conversation_id: str, config: Mapping[str, Any]) -> str:
    """A title from the model for the conversation's first query; "" when none can be had."""
    query = db.session.scalar(sa.select(Message.query).where(Message.conversation_id == conversation_id)
                              .order_by(Message.id).limit(1))
    if not query:
        return ""
    settings = provider_settings(app, config)
    if settings.provider == DEMO:  # the demo model only echoes; the query itself makes a better title
        return clean_title(query)
    try:
        result = chat(settings, [{"role": "system", "content": TITLE_PROMPT}, {"role": "user", "content": query}])
    except LLMError as error:
        log.info("conversation title generation failed: %s", error.message)
        return ""
    return clean_title(result.text)


def clean_title(text: str) -> str:
    """The first non-empty line of `text` without quotes or a "Title:" label, cut to TITLE_MAX_CHARS."""
    line = next((line for line in text.splitlines() if line.strip(_QUOTES)), "")
    line = line.strip(_QUOTES)
    if line.lower().startswith("title:"):
        line = line[len("title:"):].strip(_QUOTES)
    return line[:TITLE_MAX_CHARS].strip()


def pin_conversation(app_id: str, end_user_id: str, conversation_id: str) -> None:
    """Pin the end user's conversation (idempotent). Raises ConversationNotExists."""
    conversation = get_conversation(app_id, end_user_id, conversation_id)
    if _pin_of(end_user_id, conversation.id) is not None:
        return
    db.session.add(PinnedConversation(app_id=app_id, conversation_id=conversation.id, created_by=end_user_id))
    try:
        db.session.commit()
    except IntegrityError:  # pinned concurrently by another request: already the desired state
        db.session.rollback()


def unpin_conversation(app_id: str, end_user_id: str, conversation_id: str) -> None:
    """Remove the end user's pin of the conversation, if any (idempotent, never raises NotFound)."""
    db.session.execute(sa.delete(PinnedConversation).where(
        PinnedConversation.app_id == app_id, PinnedConversation.created_by == end_user_id,
        PinnedConversation.conversation_id == conversation_id))
    db.session.commit()


def _pin_of(end_user_id: str, conversation_id: str) -> PinnedConversation | None:
    return db.session.scalar(sa.select(PinnedConversation).filter_by(conversation_id=conversation_id,
                                                                     created_by=end_user_id))
