"""Workflow runs and the executions of their nodes."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import JSON, UUID, Base, IdMixin


class WorkflowRun(IdMixin, Base):
    __tablename__ = "workflow_runs"
    __table_args__ = (sa.Index("ix_workflow_runs_user", "app_id", "created_by", "created_at"),)

    app_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False)
    task_id: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    created_by: Mapped[str] = mapped_column(UUID, sa.ForeignKey("end_users.id", ondelete="CASCADE"), nullable=False)
    conversation_id: Mapped[str | None] = mapped_column(UUID)
    message_id: Mapped[str | None] = mapped_column(UUID)
    workflow_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    # running | succeeded | failed | stopped | partial-succeeded
    status: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="running")
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    outputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    elapsed_time: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0.0)
    total_tokens: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    total_steps: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    exceptions_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


class WorkflowNodeExecution(IdMixin, Base):
    __tablename__ = "workflow_node_executions"
    __table_args__ = (sa.Index("ix_workflow_node_executions_run", "workflow_run_id", "index"),)

    workflow_run_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("workflow_runs.id", ondelete="CASCADE"),
                                                 nullable=False)
    node_id: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    node_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(255), nullable=False, default="")
    index: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    predecessor_node_id: Mapped[str | None] = mapped_column(sa.String(255))
    iteration_id: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="running")
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    process_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    elapsed_time: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0.0)
    execution_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
