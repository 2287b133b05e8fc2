"""The real server in a subprocess: gunicorn with one gevent worker, as `make run` starts it.

Usage::

    with LiveServer(server_env(settings, upstream.base_url, STREAM_RESUME_GRACE_SECONDS="0")) as server:
        requests.get(server.url + "/console/api/setup", timeout=2)

The process is started in its own session and stopped with SIGTERM, then SIGKILL.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Mapping

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
GUNICORN = REPO_ROOT / ".venv" / "bin" / "gunicorn"
READY_PATH = "/console/api/setup"


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(settings: Mapping[str, Any], upstream_base_url: str, **extra: Any) -> dict[str, str]:
    """Environment for the server: backend settings, the upstream, quiet logs; `extra` wins."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "FLASK_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "INSTANCE_PATH"):
        env[name] = str(settings[name])
    env.update(OPENAI_API_BASE=upstream_base_url, OPENAI_API_KEY="sk-test", GUNICORN_ACCESS_LOG="",
               LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in extra.items()})
    return env


class LiveServer:
    """`gunicorn -c deploy/gunicorn.conf.py api.wsgi:app` on 127.0.0.1:<free port>; a context manager."""

    def __init__(self, env: Mapping[str, str], ready_timeout: float = 15.0, wsgi_app: str = "api.wsgi:app"):
        self.env = dict(env)
        self.wsgi_app = wsgi_app
        self.ready_timeout = ready_timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()

    def start(self) -> "LiveServer":
        """Spawn gunicorn and wait until it answers. Raises RuntimeError (with its log) otherwise."""
        env = dict(self.env, BIND=f"127.0.0.1:{self.port}")
        self.process = subprocess.Popen([str(GUNICORN), "-c", "deploy/gunicorn.conf.py", self.wsgi_app],
                                        cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(self.url + READY_PATH, timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {self.ready_timeout} s:\n{self.log()}")

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the gunicorn process group, SIGKILL it if it is still there after `timeout`."""
        if self.process is None or self.process.poll() is not None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.process.wait(timeout)

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)  # the arbiter and its worker; the group is ours alone
        except ProcessLookupError:
            pass

    def log(self) -> str:
        """What gunicorn wrote so far (stdout and stderr)."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        try:
            self.stop()
        finally:
            self._log.close()
