"""End users of published apps and their server-side sessions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import JSON, UUID, Base, TimestampMixin, utcnow


class EndUser(TimestampMixin, Base):
    __tablename__ = "end_users"
    __table_args__ = (sa.Index("ix_end_users_app_session", "app_id", "session_id"),)

    app_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False)
    type: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="browser")
    is_anonymous: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    session_id: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    external_user_id: Mapped[str | None] = mapped_column(sa.String(255))
    name: Mapped[str | None] = mapped_column(sa.String(255))


class Session(Base):
    """A server-side session of an end user (id, data, expiry)."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    end_user_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("end_users.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    expiry: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
