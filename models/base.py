"""Declarative base, naming convention and the id/timestamp mixin (STYLE G9)."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from uuid6 import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UUID = sa.Uuid(as_uuid=False)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def new_id() -> str:
    """A UUIDv7 string: time-ordered, so ordering by id equals ordering by creation."""
    return str(uuid7())


def utcnow() -> datetime:
    """Naive UTC now (stored without zone on every backend)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_timestamp(value: datetime | None) -> int | None:
    """Integer Unix seconds, as every response body carries them."""
    return None if value is None else int(value.replace(tzinfo=timezone.utc).timestamp())


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[str] = mapped_column(UUID, primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)


class TimestampMixin(IdMixin):
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False)
