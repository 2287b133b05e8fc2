"""A small per-process cache of what every request reads: published sites, end users, rendered bodies.

Entries live at most `ttl` seconds and all of them go at once when the shared version in Redis
(`VERSION_KEY`) changes. Every commit that changed an App or a Site, or updated or deleted an
EndUser, through the ORM (the CLI: `flask apps ...`, `flask mcp ...`; tests; scripts) writes a new
version after it commits, so the next request of every process sees the change. A request reads the
version once (`AppCache.sync`, one Redis GET). An entry loaded under an older version is not kept.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, Hashable

import redis
import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from models import App, EndUser, Site
from models.base import new_id

log = logging.getLogger(__name__)

VERSION_KEY = "app_cache:version"
_CHANGED = "app_cache_changed"  # Session.info flag: this transaction touched what the cache holds
_MISSING = object()


class AppCache:
    """Values by key for `ttl` seconds (0: nothing is kept), at most `max_entries` of them, oldest dropped first."""

    def __init__(self, ttl: float, max_entries: int = 10_000):
        self.ttl = ttl
        self.max_entries = max_entries
        self._version: Any = _MISSING
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def sync(self, client: redis.Redis) -> None:
        """Read the shared version (one GET); a new one empties the cache. A Redis failure empties it too."""
        if self.ttl <= 0:
            return
        try:
            version = client.get(VERSION_KEY)
        except redis.RedisError:
            log.warning("app cache: Redis unreachable, reading from the database")
            version = _MISSING
        if version is _MISSING or version != self._version:
            self._entries.clear()
            self._version = version

    def fetch(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The cached value of `key`, else `load()` (kept unless it is None or the version moved meanwhile)."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        version = self._version
        value = load()
        if value is not None and self.ttl > 0 and version is self._version and version is not _MISSING:
            self._put(key, value, now + self.ttl)
        return value

    def _put(self, key: Hashable, value: Any, expires: float) -> None:
        self._entries.pop(key, None)
        while len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (expires, value)


def bump_version(client: redis.Redis) -> None:
    """Make every process drop its cache at its next request."""
    client.set(VERSION_KEY, new_id())


def _touches_cached(instance: Any, created: bool) -> bool:
    """Apps and sites always; end users only when changed or deleted (new ones are never cached as absent)."""
    return isinstance(instance, (App, Site)) or (isinstance(instance, EndUser) and not created)


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, flush_context: UOWTransaction) -> None:
    changed = [(o, False) for o in (*session.dirty, *session.deleted)] + [(o, True) for o in session.new]
    if any(_touches_cached(instance, created) for instance, created in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in (App, Site, EndUser):
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    if not session.info.pop(_CHANGED, False) or not has_app_context():
        return
    client = current_app.extensions.get("redis")
    try:
        if client is not None:
            bump_version(client)
    except redis.RedisError:
        log.warning("app cache: could not publish a new version; processes see the change within their TTL")


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def init_app_cache(app: Any) -> None:
    """Give the Flask app its cache (APP_CACHE_TTL_SECONDS; 0 turns it off)."""
    app.extensions["app_cache"] = AppCache(float(app.config["APP_CACHE_TTL_SECONDS"]))


def app_cache() -> AppCache:
    """The current Flask app's cache."""
    return current_app.extensions["app_cache"]


def detach(*instances: Any) -> None:
    """Take loaded rows out of the request's session so they can outlive it (all columns are loaded)."""
    for instance in instances:
        if instance is not None and sa.inspect(instance).session is not None:
            sa.inspect(instance).session.expunge(instance)
