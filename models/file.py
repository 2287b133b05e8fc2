"""Files uploaded by end users."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UUID, Base, IdMixin


class UploadFile(IdMixin, Base):
    __tablename__ = "upload_files"

    app_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False)
    created_by: Mapped[str] = mapped_column(UUID, sa.ForeignKey("end_users.id", ondelete="CASCADE"), nullable=False)
    storage_key: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    extension: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    mime_type: Mapped[str | None] = mapped_column(sa.String(255))
    hash: Mapped[str | None] = mapped_column(sa.String(64))
