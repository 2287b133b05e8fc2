"""Typed configuration, read once from the environment and passed down (STYLE G3)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _convert(raw: str, kind: Any) -> Any:
    if kind in (bool, "bool"):
        return _as_bool(raw)
    if kind in (int, "int"):
        return int(raw)
    if kind in (float, "float"):
        return float(raw)
    return raw


@dataclass
class Config:
    """Every setting the server reads. Field names are the environment variable names."""

    INSTANCE_PATH: str = str(REPO_ROOT / "instance")
    SECRET_KEY: str = ""
    DATABASE_URL: str = ""
    REDIS_URL: str = ""
    REDIS_CONNECT_TIMEOUT: float = 1.0
    REDIS_SOCKET_TIMEOUT: float = 1.0
    # per client and process (two clients: commands, stream reads); a request waits at most
    # REDIS_SOCKET_TIMEOUT for a free one, then gets a 503 with Retry-After. Size it like SERVER_WORKER_CONNECTIONS
    REDIS_MAX_CONNECTIONS: int = 1000
    # PostgreSQL pool of each worker process. A stream holds no connection while it waits on the model or the
    # client: only a request's own queries and a run's final save use one, so 30 + 10 serve ~1000 streams.
    # Keep workers x (size + overflow) below the server's max_connections. A request that found no free
    # connection within SQLALCHEMY_POOL_TIMEOUT s gets a 503 with Retry-After (never a 500).
    SQLALCHEMY_POOL_SIZE: int = 30
    SQLALCHEMY_MAX_OVERFLOW: int = 10
    SQLALCHEMY_POOL_TIMEOUT: float = 5.0
    SQLALCHEMY_POOL_RECYCLE: int = 3600
    DEPLOY_ENV: str = "PRODUCTION"
    LOG_LEVEL: str = "INFO"
    APP_WEB_URL: str = "http://127.0.0.1:5001"
    PASSPORT_TTL_SECONDS: int = 0
    WEB_API_CORS_ALLOW_ORIGINS: str = "*"
    WEB_EMBED_ALLOW_ORIGINS: str = ""
    TRUSTED_PROXIES: int = 0
    PASSPORT_RATE_LIMIT_PER_MINUTE: int = 60
    APP_CACHE_TTL_SECONDS: float = 30.0
    DB_PING_AFTER_IDLE_SECONDS: float = 10.0
    MAX_CONTENT_LENGTH: int = 2 * 1024 * 1024
    MAX_JSON_DEPTH: int = 64
    QUERY_MAX_LENGTH: int = 100_000
    INPUT_MAX_LENGTH: int = 100_000
    TEMPLATE_TRANSFORM_MAX_LENGTH: int = 80_000
    TEMPLATE_TRANSFORM_TIMEOUT: float = 5.0
    APP_MAX_ACTIVE_REQUESTS: int = 0
    APP_MAX_EXECUTION_TIME: int = 1200
    SHUTDOWN_DRAIN_SECONDS: float = 10.0  # at most this long (and within graceful_timeout) runs save at SIGTERM
    OPENAI_API_BASE: str = ""
    OPENAI_API_KEY: str = ""
    DEFAULT_MODEL: str = "gpt-4o-mini"
    LLM_CONNECT_TIMEOUT: float = 5.0
    LLM_READ_TIMEOUT: float = 60.0
    PING_INTERVAL_SECONDS: float = 10.0
    STREAM_RESUME_GRACE_SECONDS: float = 15.0
    STREAM_RETENTION_SECONDS: int = 600
    COMPLETION_CACHE_TTL_SECONDS: int = 3600
    WORKFLOW_QUEUE: str = "workflows"
    # how `python -m api.worker` runs jobs: "simple" in its own process (warm: fastest start), "fork" in a
    # forked work horse per job (an interpreter crash takes only the horse down)
    WORKFLOW_WORKER_CLASS: str = "simple"
    # a run no worker took within this many seconds fails ("No worker picked up this run ...")
    WORKFLOW_QUEUE_TIMEOUT: float = 300.0
    # every web and worker process looks for lost runs this often (one scan per interval in all);
    # a run whose worker died is failed within 5 s (heartbeat TTL) + this, followed or not. 0: no sweeper
    WORKFLOW_SWEEP_INTERVAL: float = 5.0
    WORKFLOW_CODE_ENABLED: bool = True
    CODE_SANDBOX_BWRAP: str = "bwrap"
    CODE_SANDBOX_PYTHON: str = ""
    CODE_SANDBOX_NODE: str = ""
    CODE_SANDBOX_PYTHON_PACKAGES: str = ""
    CODE_SANDBOX_UID: int = 65534
    CODE_SANDBOX_GID: int = 65534
    CODE_SANDBOX_TIMEOUT_SECONDS: float = 10.0
    CODE_SANDBOX_MEMORY_MB: int = 256
    CODE_SANDBOX_OUTPUT_BYTES: int = 4 * 1024 * 1024
    CODE_SANDBOX_MAX_TASKS: int = 64
    CODE_SANDBOX_SCRATCH_MB: int = 32
    WORKFLOW_HTTP_ALLOW_PRIVATE: bool = False
    MCP_ALLOW_PRIVATE: bool = False
    MCP_ALLOW_LOOPBACK: bool = False
    UPLOAD_FILE_SIZE_LIMIT: int = 15
    UPLOAD_IMAGE_FILE_SIZE_LIMIT: int = 10
    UPLOAD_VIDEO_FILE_SIZE_LIMIT: int = 100
    UPLOAD_AUDIO_FILE_SIZE_LIMIT: int = 50
    WORKFLOW_FILE_UPLOAD_LIMIT: int = 10
    TESTING: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "Config":
        """Build a config from environment variables; `overrides` win over the environment."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in environ and f.name != "extra":
                values[f.name] = _convert(environ[f.name], f.type)
        values.update(overrides)
        return cls(**values).finalize()

    def finalize(self) -> "Config":
        """Fill derived defaults: SQLite and the secret key under the instance folder."""
        Path(self.INSTANCE_PATH).mkdir(parents=True, exist_ok=True)
        if not self.DATABASE_URL:
            self.DATABASE_URL = f"sqlite:///{Path(self.INSTANCE_PATH) / 'llm_web_api.db'}"
        self.DATABASE_URL = normalize_database_url(self.DATABASE_URL)
        if not self.SECRET_KEY:
            self.SECRET_KEY = _instance_secret(Path(self.INSTANCE_PATH) / "secret_key")
        return self

    def flask_mapping(self) -> dict[str, Any]:
        """The mapping handed to `app.config`, plus Flask/SQLAlchemy's own keys."""
        mapping = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        mapping.update(self.extra)
        mapping["SQLALCHEMY_DATABASE_URI"] = self.DATABASE_URL
        mapping["SQLALCHEMY_ENGINE_OPTIONS"] = self.engine_options()
        mapping["PROPAGATE_EXCEPTIONS"] = False
        mapping["ERROR_404_HELP"] = False
        mapping["JSON_AS_ASCII"] = False
        mapping["SOCK_SERVER_OPTIONS"] = {"max_message_size": self.MAX_CONTENT_LENGTH}
        return mapping

    def engine_options(self) -> dict[str, Any]:
        """SQLAlchemy engine options: the pool bounds for PostgreSQL (SQLite keeps SQLAlchemy's own pool).

        No `pool_pre_ping`: api/db_pool.py pings only connections that sat idle (DB_PING_AFTER_IDLE_SECONDS).
        """
        options: dict[str, Any] = {}
        if self.DATABASE_URL.startswith("postgresql"):
            options.update(pool_size=self.SQLALCHEMY_POOL_SIZE, max_overflow=self.SQLALCHEMY_MAX_OVERFLOW,
                           pool_timeout=self.SQLALCHEMY_POOL_TIMEOUT, pool_recycle=self.SQLALCHEMY_POOL_RECYCLE)
        return options


def normalize_database_url(url: str) -> str:
    """Pin PostgreSQL URLs to psycopg2, the driver psycogreen makes cooperative under gevent."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def _instance_secret(path: Path) -> str:
    """Return the secret kept in `path`, generating it on first use (mode 0600)."""
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    return secret
