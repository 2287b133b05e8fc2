"""Apps and their public sites."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import JSON, UUID, Base, TimestampMixin

APP_MODES = ("completion", "chat", "agent-chat", "advanced-chat", "workflow")
CHAT_MODES = ("chat", "agent-chat", "advanced-chat")
WORKFLOW_MODES = ("advanced-chat", "workflow")


class App(TimestampMixin, Base):
    __tablename__ = "apps"

    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    mode: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="normal")
    enable_site: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    icon_type: Mapped[str | None] = mapped_column(sa.String(16))
    icon: Mapped[str | None] = mapped_column(sa.String(255))
    icon_background: Mapped[str | None] = mapped_column(sa.String(32))
    # model_config for completion/chat/agent-chat apps, as a Dify DSL carries it.
    model_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # workflow (graph, features, variables) for workflow/advanced-chat apps.
    workflow: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # provider settings (base_url, api_key, model, parameters) and feature switches (cache, ...).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    max_active_requests: Mapped[int | None] = mapped_column(sa.Integer)
    config_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    @property
    def is_chat_family(self) -> bool:
        return self.mode in CHAT_MODES

    @property
    def is_available(self) -> bool:
        return self.status == "normal" and self.enable_site


class Site(TimestampMixin, Base):
    __tablename__ = "sites"

    app_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False,
                                        unique=True)
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="normal")
    icon_type: Mapped[str | None] = mapped_column(sa.String(16))
    icon: Mapped[str | None] = mapped_column(sa.String(255))
    icon_background: Mapped[str | None] = mapped_column(sa.String(32))
    description: Mapped[str | None] = mapped_column(sa.Text)
    copyright: Mapped[str | None] = mapped_column(sa.String(255))
    privacy_policy: Mapped[str | None] = mapped_column(sa.String(255))
    custom_disclaimer: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    default_language: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="en-US")
    chat_color_theme: Mapped[str | None] = mapped_column(sa.String(32))
    chat_color_theme_inverted: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    prompt_public: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    show_workflow_steps: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    use_icon_as_answer_icon: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
