"""Pooled database connections are checked only after they sat idle, not at every checkout.

`pool_pre_ping` costs a round trip per request. A connection handed back a moment ago is alive, so only
one idle for `idle_seconds` or more is pinged first; a dead one is replaced before any statement runs
(the pool retries the checkout on `DisconnectionError`). A connection that dies while busy fails its
statement once and SQLAlchemy then discards the pool's older connections.
"""
from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

_IDLE_SINCE = "idle_since"


def ping_when_idle(engine: sa.Engine, idle_seconds: float) -> None:
    """Install the check on `engine`'s pool; `idle_seconds` 0 pings at every checkout (as pool_pre_ping does)."""

    @event.listens_for(engine, "checkin")
    def _note_idle(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError(f"connection idle for {time.monotonic() - since:.0f} s is gone") \
                from exc
