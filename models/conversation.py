"""Conversations, messages and what end users attach to them."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import JSON, UUID, Base, IdMixin, TimestampMixin


class Conversation(TimestampMixin, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        # keyset pages: the sort column, then id (migration 0003)
        sa.Index("ix_conversations_user_updated", "app_id", "from_end_user_id", "is_deleted", "updated_at", "id"),
        sa.Index("ix_conversations_user_created", "app_id", "from_end_user_id", "is_deleted", "created_at", "id"),
    )

    app_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False)
    from_end_user_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("end_users.id", ondelete="CASCADE"),
                                                  nullable=False)
    mode: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False, default="")
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # chatflow conversation variables (name -> value), written by the assigner node
    variables: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    introduction: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="normal")
    from_source: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="api")
    invoke_from: Mapped[str | None] = mapped_column(sa.String(32), default="web-app")
    dialogue_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_deleted: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)


class Message(TimestampMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        sa.Index("ix_messages_conversation_id", "conversation_id", "id"),
        sa.Index("ix_messages_user", "app_id", "from_end_user_id", "created_at"),
    )

    app_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False)
    conversation_id: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("conversations.id", ondelete="CASCADE"))
    from_end_user_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("end_users.id", ondelete="CASCADE"),
                                                  nullable=False)
    parent_message_id: Mapped[str | None] = mapped_column(UUID)
    task_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    mode: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    query: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    answer: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # normal | error | stopped | running
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="normal")
    error: Mapped[str | None] = mapped_column(sa.Text)
    message_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    message_tokens: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    answer_tokens: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    provider_response_latency: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0.0)
    workflow_run_id: Mapped[str | None] = mapped_column(UUID)
    from_source: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="api")


class MessageFeedback(TimestampMixin, Base):
    __tablename__ = "message_feedbacks"
    __table_args__ = (sa.UniqueConstraint("message_id", "from_end_user_id"),)

    app_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False)
    conversation_id: Mapped[str | None] = mapped_column(UUID)
    message_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False)
    rating: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    content: Mapped[str | None] = mapped_column(sa.Text)
    from_source: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="user")
    from_end_user_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("end_users.id", ondelete="CASCADE"),
                                                  nullable=False)


class PinnedConversation(IdMixin, Base):
    __tablename__ = "pinned_conversations"
    __table_args__ = (sa.UniqueConstraint("conversation_id", "created_by"),)

    app_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False)
    conversation_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 nullable=False)
    created_by: Mapped[str] = mapped_column(UUID, sa.ForeignKey("end_users.id", ondelete="CASCADE"), nullable=False)


class SavedMessage(IdMixin, Base):
    __tablename__ = "saved_messages"
    __table_args__ = (sa.UniqueConstraint("message_id", "created_by"),
                      sa.Index("ix_saved_messages_user", "app_id", "created_by", "created_at"))

    app_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False)
    message_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False)
    created_by: Mapped[str] = mapped_column(UUID, sa.ForeignKey("end_users.id", ondelete="CASCADE"), nullable=False)
