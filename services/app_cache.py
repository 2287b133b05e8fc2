"""A small per-process cache of what every request reads: published sites, end users, rendered bodies.

Entries live at most `ttl` seconds, and all of them go at once when a change is announced on the Redis
channel `CHANGES_CHANNEL`. Every commit that changed an App or a Site, or updated or deleted an EndUser,
through the ORM (the CLI: `flask apps ...`, `flask mcp ...`; tests; scripts) publishes there after it
commits and empties its own process's cache. Each process holds one subscription; a request only polls
that socket for pending announcements (`AppCache.sync`: no round trip), so a change published before
a request started is seen by it. Any message empties the cache, including the confirmation redis-py's
reconnection produces (announcements may have been missed meanwhile); without a live subscription
nothing is kept. An entry loaded while the cache was emptied is not kept.
"""
from __future__ import annotations

import logging
import os
import threading
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

CHANGES_CHANNEL = "app_cache:changes"
SUBSCRIBE_TIMEOUT_SECONDS = 2.0
_CHANGED = "app_cache_changed"  # Session.info flag: this transaction touched what the cache holds


class AppCache:
    """Values by key for `ttl` seconds (0: nothing is kept), at most `max_entries` of them, oldest dropped first."""

    def __init__(self, ttl: float, max_entries: int = 10_000):
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._generation = 0
        self._pubsub: redis.client.PubSub | None = None
        self._pid = 0
        self._lock = threading.Lock()  # one reader of the subscription socket at a time

    def sync(self, client: redis.Redis) -> None:
        """Apply the announcements pending on this process's subscription (subscribing first if needed)."""
        if self.ttl <= 0:
            return
        with self._lock:
            try:
                if self._pubsub is None or self._pid != os.getpid():
                    self._subscribe(client)
                while self._pubsub.get_message(timeout=0) is not None:
                    self.clear()
            except (redis.RedisError, OSError):
                log.warning("app cache: no Redis subscription, reading from the database")
                self._unsubscribe()

    def _subscribe(self, client: redis.Redis) -> None:
        self._unsubscribe()
        pubsub = client.pubsub()
        pubsub.subscribe(CHANGES_CHANNEL)
        if pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_SECONDS) is None:  # the confirmation: now subscribed
            pubsub.close()
            raise redis.ConnectionError("no subscription confirmation")
        self._pubsub, self._pid = pubsub, os.getpid()

    def _unsubscribe(self) -> None:
        self.clear()
        if self._pubsub is not None and self._pid == os.getpid():
            self._pubsub.close()
        self._pubsub = None

    def clear(self) -> None:
        """Drop every entry (and any load in progress)."""
        self._entries.clear()
        self._generation += 1

    def fetch(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The cached value of `key`, else `load()` (kept unless None, unsubscribed, or emptied meanwhile)."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        generation = self._generation
        value = load()
        if value is not None and self._pubsub is not None and generation == self._generation:
            self._put(key, value, now + self.ttl)
        return value

    def _put(self, key: Hashable, value: Any, expires: float) -> None:
        self._entries.pop(key, None)
        while len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (expires, value)


def announce_change(client: redis.Redis) -> None:
    """Make every subscribed process drop its cache before its next request."""
    client.publish(CHANGES_CHANNEL, new_id())


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
    cache, client = current_app.extensions.get("app_cache"), current_app.extensions.get("redis")
    if cache is not None:
        cache.clear()
    try:
        if client is not None:
            announce_change(client)
    except redis.RedisError:
        log.warning("app cache: could not announce a change; other processes see it within their TTL")


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
