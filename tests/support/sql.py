"""Record the SQL statements an app sends while a block runs (SQLAlchemy engine events)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import event

from api.extensions import db


@contextmanager
def recorded_sql(app) -> Iterator[list[tuple[str, Any]]]:
    """Yield a list that fills with (statement, parameters) for every cursor execution of `app`'s engine."""
    with app.app_context():
        engine = db.engine
    statements: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
