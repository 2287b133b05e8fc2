"""The per-process app cache: TTL, shared version, and the commits that publish a new version."""
from __future__ import annotations

import time

import pytest

from api.extensions import db, get_redis
from models import App, EndUser
from services.app_cache import VERSION_KEY, AppCache, bump_version
from tests.factories import make_app

pytestmark = pytest.mark.embedded


class Loads:
    """A loader that answers 1, 2, 3, ... and counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.calls


def test_a_value_is_kept_until_the_shared_version_changes(app):
    with app.app_context():
        cache, load, client = AppCache(ttl=60), Loads(), get_redis()
        cache.sync(client)
        assert [cache.fetch("k", load), cache.fetch("k", load)] == [1, 1]
        cache.sync(client)
        assert cache.fetch("k", load) == 1
        bump_version(client)
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


def test_a_value_loaded_while_the_version_moved_is_not_kept(app):
    with app.app_context():
        cache, client = AppCache(ttl=60), get_redis()
        cache.sync(client)

        def load_during_a_change():  # another request sees the new version while this one reads the database
            bump_version(client)
            cache.sync(client)
            return "old"

        assert cache.fetch("k", load_during_a_change) == "old"
        assert cache.fetch("k", lambda: "new") == "new"


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


def test_committed_app_changes_publish_a_version_but_new_end_users_do_not(app):
    created = make_app(app)
    with app.app_context():
        client = get_redis()
        before = client.get(VERSION_KEY)
        db.session.add(EndUser(app_id=created["id"], session_id="s"))
        db.session.commit()
        assert client.get(VERSION_KEY) == before
        db.session.get(App, created["id"]).name = "Renamed"
        db.session.commit()
        after_edit = client.get(VERSION_KEY)
        assert after_edit not in (None, before)
        db.session.get(App, created["id"]).name = "Rolled back"
        db.session.flush()
        db.session.rollback()
        assert client.get(VERSION_KEY) == after_edit
        db.session.execute(db.update(EndUser).values(name="bulk"))
        db.session.commit()
        assert client.get(VERSION_KEY) not in (None, after_edit)
