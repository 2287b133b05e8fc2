"""A real RQ worker process (`python -m api.worker`, or another command) on the test database and Redis."""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Mapping

REPO_ROOT = Path(__file__).resolve().parents[2]
PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
RQ = REPO_ROOT / ".venv" / "bin" / "rq"


def worker_env(settings: Mapping[str, Any], **extra: Any) -> dict[str, str]:
    """The worker's environment: the test backend's settings; `extra` (e.g. OPENAI_API_BASE) wins."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "INSTANCE_PATH"):
        env[name] = str(settings[name])
    env.update(LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in extra.items()})
    return env


class RQWorker:
    """Starts in its own process group, so `kill()` takes the work horse down with it."""

    def __init__(self, env: Mapping[str, str], command: list[str] | None = None):
        self.env = dict(env)
        self.command = command or [str(PYTHON), "-m", "api.worker"]
        self.process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()

    def __enter__(self) -> "RQWorker":
        self.process = subprocess.Popen(self.command, cwd=REPO_ROOT, env=self.env,
                                        stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its work horse (RQ puts the horse in a session of its own)."""
        if self.process and self.process.poll() is None:
            horses = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
            for pid in horses.split():
                os.kill(int(pid), signal.SIGKILL)
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
