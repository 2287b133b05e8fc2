"""The per-process app cache: TTL, announcements on Redis, and the commits that announce."""
from __future__ import annotations

import time

import pytest
import redis

from api.extensions import db, get_redis
from models import App, EndUser
from services.app_cache import CHANGES_CHANNEL, AppCache, announce_change
from tests.factories import make_app

pytestmark = pytest.mark.embedded


class Loads:
    """A loader that answers 1, 2, 3, ... and counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.calls


def test_a_value_is_kept_until_a_change_is_announced(app):
    with app.app_context():
        cache, load, client = AppCache(ttl=60), Loads(), get_redis()
        cache.sync(client)
        assert [cache.fetch("k", load), cache.fetch("k", load)] == [1, 1]
        cache.sync(client)
        assert cache.fetch("k", load) == 1
        announce_change(client)
        cache.sync(client)
        assert cache.fetch("k", load) == 2


def test_a_value_expires_after_the_ttl_and_ttl_zero_keeps_nothing(app):
    with app.app_context():
        cache, load = AppCache(ttl=0.2), Loads()
        cache.sync(get_redis())
        assert cache.fetch("k", load) == 1
        time.sleep(0.3)
        assert cache.fetch("k", load) == 2
        off = AppCache(ttl=0)
        off.sync(get_redis())
        assert [off.fetch("k", load), off.fetch("k", load)] == [3, 4]


def test_a_value_loaded_while_the_cache_was_emptied_is_not_kept(app):
    with app.app_context():
        cache, client = AppCache(ttl=60), get_redis()
        cache.sync(client)

        def load_during_a_change():  # another request applies an announcement while this one reads
            announce_change(client)
            cache.sync(client)
            return "old"

        assert cache.fetch("k", load_during_a_change) == "old"
        assert cache.fetch("k", lambda: "new") == "new"


def test_without_a_subscription_nothing_is_kept(app):
    with app.app_context():
        cache = AppCache(ttl=60)
        assert [cache.fetch("k", lambda: "a"), cache.fetch("k", lambda: "b")] == ["a", "b"]
        cache.sync(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5))  # nothing listens there
        assert [cache.fetch("k", lambda: "c"), cache.fetch("k", lambda: "d")] == ["c", "d"]
        cache.sync(get_redis())
        assert [cache.fetch("k", lambda: "e"), cache.fetch("k", lambda: "f")] == ["e", "e"]


def test_none_is_never_kept_and_the_oldest_entry_goes_first(app):
    with app.app_context():
        cache = AppCache(ttl=60, max_entries=2)
        cache.sync(get_redis())
        assert cache.fetch("missing", lambda: None) is None
        assert cache.fetch("missing", lambda: "found") == "found"
        cache.fetch("b", lambda: "b")
        cache.fetch("c", lambda: "c")
        assert cache.fetch("missing", lambda: "reloaded") == "reloaded"
        assert cache.fetch("c", lambda: "other") == "c"


def _announced(listener) -> bool:
    """Whether an announcement arrived (draining it)."""
    found = False
    while listener.get_message(timeout=0.3) is not None:
        found = True
    return found


def test_committed_app_changes_are_announced_but_new_end_users_are_not(app):
    created = make_app(app)
    with app.app_context():
        listener = get_redis().pubsub()
        listener.subscribe(CHANGES_CHANNEL)
        assert listener.get_message(timeout=2)["type"] == "subscribe"
        db.session.add(EndUser(app_id=created["id"], session_id="s"))
        db.session.commit()
        assert not _announced(listener)
        db.session.get(App, created["id"]).name = "Renamed"
        db.session.commit()
        assert _announced(listener)
        db.session.get(App, created["id"]).name = "Rolled back"
        db.session.flush()
        db.session.rollback()
        assert not _announced(listener)
        db.session.execute(db.update(EndUser).values(name="bulk"))
        db.session.commit()
        assert _announced(listener)
        listener.close()
