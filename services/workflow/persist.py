"""Storing a workflow run's outcome: the run, its node executions, the chatflow message and variables."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, DisconnectionError

from api.extensions import db
from core.text import clean_tree
from models import App, Conversation, Message, WorkflowNodeExecution, WorkflowRun, utcnow
from services.db_errors import is_transient

log = logging.getLogger(__name__)
T = TypeVar("T")
WRITE_ATTEMPTS = 8  # backoff 0.2, 0.4, ... capped at 2 s: about 9 s of database trouble survived

RUN_STATUS_TO_MESSAGE = {"succeeded": "normal", "partial-succeeded": "normal", "stopped": "stopped",
                         "failed": "error"}


def conversation_variables(app: App, conversation: Conversation | None) -> dict[str, Any]:
    """Current conversation variables: the conversation's, over the workflow's declared defaults."""
    declared = {v["name"]: v.get("value") for v in (app.workflow or {}).get("conversation_variables") or []
                if isinstance(v, dict) and v.get("name")}
    return {**declared, **((conversation.variables if conversation else None) or {})}


def environment_variables(app: App) -> dict[str, Any]:
    return {v["name"]: v.get("value") for v in (app.workflow or {}).get("environment_variables") or []
            if isinstance(v, dict) and v.get("name")}


def message_query(run: WorkflowRun) -> str:
    message = db.session.get(Message, run.message_id) if run.message_id else None
    return message.query if message else ""


def retrying(write: Callable[[], T], attempts: int = WRITE_ATTEMPTS) -> T:
    """Run `write` (which loads what it changes and commits); on a transient database error (connection
    dropped, server restarting) roll back and run it again, up to `attempts` times. Other errors raise at once.
    """
    delay = 0.2
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except (DBAPIError, DisconnectionError) as exc:
            db.session.rollback()
            if attempt == attempts or not is_transient(exc):
                raise
            log.warning("transient database error (attempt %d of %d), retrying: %s", attempt, attempts, exc)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")


def store_result(run_id: str, result: Any, conversation_id: str | None) -> None:
    """Write the run, its node executions, and for chatflows the message and conversation variables.

    Retried on transient database errors, so a dropped connection never fails a run whose nodes finished.
    Text goes through `clean_tree` on the way in: PostgreSQL refuses NUL characters in text and JSONB.
    """
    retrying(lambda: _store_result(run_id, result, conversation_id))


def _store_result(run_id: str, result: Any, conversation_id: str | None) -> None:
    run = db.session.get(WorkflowRun, run_id)
    run.status, run.outputs, run.error = result.status, clean_tree(result.outputs), clean_tree(result.error)
    run.elapsed_time, run.total_tokens, run.total_steps = result.elapsed_time, result.total_tokens, result.total_steps
    run.exceptions_count, run.finished_at = result.exceptions_count, utcnow()
    for execution in result.node_executions:
        db.session.add(_node_row(run.id, clean_tree(execution)))
    if run.message_id:
        _store_message(run, result)
    conversation = db.session.get(Conversation, conversation_id) if conversation_id else None
    if conversation is not None:
        conversation.variables = clean_tree(dict(result.conversation_variables or {}))
        conversation.updated_at = utcnow()
        conversation.dialogue_count = (conversation.dialogue_count or 0) + 1
    db.session.commit()


def mark_failed(run_id: str, error: str, spent: Callable[[WorkflowRun], Any] | None = None) -> WorkflowRun | None:
    """Fail a run that is still running; returns it, or None when it had already ended.

    `spent(run)` gives the elapsed_time, total_tokens and total_steps to store with the failure.

    The status change is one conditional UPDATE, so of several processes failing the same run exactly
    one gets it back (and publishes the terminal events). Retried on transient database errors.
    """
    return retrying(lambda: _mark_failed(run_id, error, spent))


def _mark_failed(run_id: str, error: str, spent: Callable[[WorkflowRun], Any] | None) -> WorkflowRun | None:
    changed = db.session.execute(
        sa.update(WorkflowRun).where(WorkflowRun.id == run_id, WorkflowRun.status == "running")
        .values(status="failed", error=error, finished_at=utcnow()).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        db.session.rollback()
        return None
    run = db.session.get(WorkflowRun, run_id, populate_existing=True)
    if spent is not None:
        used = spent(run)
        run.elapsed_time, run.total_tokens, run.total_steps = used.elapsed_time, used.total_tokens, used.total_steps
    if run.message_id:
        message = db.session.get(Message, run.message_id)
        if message is not None:
            message.status, message.error = "error", error
    db.session.commit()
    return run


def _store_message(run: WorkflowRun, result: Any) -> None:
    message = db.session.get(Message, run.message_id)
    if message is None:
        return
    message.answer = clean_tree(result.answer)
    message.status = RUN_STATUS_TO_MESSAGE.get(result.status, "normal")
    message.error = clean_tree(result.error)
    message.answer_tokens = result.total_tokens
    message.message_metadata = {"usage": {"total_tokens": result.total_tokens}, "retriever_resources": []}


def _node_row(run_id: str, execution: dict[str, Any]) -> WorkflowNodeExecution:
    return WorkflowNodeExecution(
        workflow_run_id=run_id, node_id=execution["node_id"], node_type=execution["node_type"],
        title=execution.get("title") or "", index=execution.get("index") or 0,
        predecessor_node_id=execution.get("predecessor_node_id"), iteration_id=execution.get("iteration_id"),
        status=execution.get("status") or "succeeded", inputs=execution.get("inputs"),
        process_data=execution.get("process_data"), outputs=execution.get("outputs"), error=execution.get("error"),
        elapsed_time=execution.get("elapsed_time") or 0.0, execution_metadata=execution.get("execution_metadata"),
        created_at=_naive(execution.get("started_at")) or utcnow(), finished_at=_naive(execution.get("finished_at")))


def _naive(value: Any) -> datetime | None:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc).replace(tzinfo=None)
    return value if isinstance(value, datetime) else None
