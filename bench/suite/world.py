"""The bench world: its own PostgreSQL database and Redis db, apps, servers; all removed afterwards."""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass

import psycopg2
import redis
import requests

from bench.suite.procs import BIN, REPO

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
REDIS_SERVER = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
DB_NAME = "llm_web_api_bench_suite"
CLAIM_KEY = "llm-web-api:test-run"  # the key tests/conftest.py claims Redis dbs with


def admin(*statements: str) -> None:
    conn = psycopg2.connect(f"{PG_SERVER}/postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def claim_redis_db() -> int:
    """A Redis db no test run holds (tests claim from 15 down; we claim from 1 up)."""
    for number in range(1, 16):
        client = redis.Redis.from_url(f"{REDIS_SERVER}/{number}")
        if client.set(CLAIM_KEY, f"bench-{os.getpid()}", nx=True, ex=3600):
            client.flushdb()
            client.set(CLAIM_KEY, f"bench-{os.getpid()}", ex=3600)
            return number
    raise RuntimeError("no free Redis database for the bench")


@dataclass
class World:
    """Settings shared by our server, its workers and the in-process app."""

    redis_url: str
    instance: str

    @property
    def database_url(self) -> str:
        return f"{PG_SERVER}/{DB_NAME}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_"))}
        env.update(DATABASE_URL=self.database_url, REDIS_URL=self.redis_url, INSTANCE_PATH=self.instance,
                   SECRET_KEY="bench-secret-" + "0123456789abcdef" * 4, LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1",
                   PYTHONPATH=str(REPO), PASSPORT_RATE_LIMIT_PER_MINUTE="0")  # every load client is 127.0.0.1
        env.update(extra)
        return env

    def flask(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "flask"), *args], cwd=REPO, capture_output=True, text=True, timeout=180,
                              env=self.env(FLASK_APP="api.app:create_app"))
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def create_chat_app(self) -> str:
        """A chat app on the server's default provider (OPENAI_API_BASE: the reference upstream)."""
        return re.search(r"code=(\S+)", self.flask("apps", "create", "--name", "Bench", "--mode", "chat"))[1]

    def import_app(self, dsl: str) -> str:
        with tempfile.NamedTemporaryFile("w", suffix=".yml") as file:
            file.write(dsl)
            file.flush()
            return re.search(r"code=(\S+)", self.flask("apps", "import", file.name))[1]

    def sql(self, statement: str, args: tuple = ()) -> list[tuple]:
        conn = psycopg2.connect(self.database_url)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(statement, args)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()


class world_context:
    """Create the database (migrated) and claim a Redis db; drop and release both on exit."""

    def __enter__(self) -> World:
        admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', f'CREATE DATABASE "{DB_NAME}"')
        self._tmp = tempfile.TemporaryDirectory(prefix="bench-suite-")
        self.world = World(f"{REDIS_SERVER}/{claim_redis_db()}", self._tmp.name)
        try:
            self.world.flask("db", "upgrade")
        except BaseException:
            self.__exit__()
            raise
        return self.world

    def __exit__(self, *exc_info) -> None:
        try:
            client = redis.Redis.from_url(self.world.redis_url)
            client.flushdb()  # also releases our claim
        finally:
            admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            self._tmp.cleanup()


def passport(base: str, code: str) -> dict[str, str]:
    response = requests.get(f"{base}/api/passport", headers={"X-App-Code": code}, timeout=10)
    response.raise_for_status()
    return {"X-App-Code": code, "X-App-Passport": response.json()["access_token"]}
