"""Processes the suite starts: each in its own session, all stopped on exit (also on failure and Ctrl-C)."""
from __future__ import annotations

import glob
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Mapping

import requests

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"


def deployed_bytecode() -> None:
    """Let every process the suite starts cache bytecode, as a deployed install does (this machine sets
    PYTHONDONTWRITEBYTECODE, which makes each lazy import compile its source again, e.g. in every RQ work horse);
    the cache lives outside the worktree."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "llm-web-api-bench-pycache"))


class Procs:
    """A registry of child process groups; `stop_all()` ends them (SIGTERM, then SIGKILL)."""

    def __init__(self) -> None:
        self.children: list[subprocess.Popen] = []

    def spawn(self, argv: list[str], env: Mapping[str, str], **kwargs) -> subprocess.Popen:
        log = kwargs.setdefault("stdout", tempfile.TemporaryFile())
        kwargs.setdefault("stderr", subprocess.STDOUT)
        process = subprocess.Popen(argv, cwd=REPO, env=dict(env), start_new_session=True, **kwargs)
        process.log_file = log
        self.children.append(process)
        return process

    def stop(self, process: subprocess.Popen, timeout: float = 5.0) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if process.poll() is not None:
                break
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                continue
        if process in self.children:
            self.children.remove(process)

    def stop_all(self) -> None:
        for process in reversed(list(self.children)):
            self.stop(process)


def output(process: subprocess.Popen) -> str:
    """What a child spawned with the default stdout wrote so far."""
    process.log_file.seek(0)
    return process.log_file.read().decode(errors="replace")


def gunicorn(procs: Procs, app: str, env: Mapping[str, str], port: int, ready_path: str) -> subprocess.Popen:
    """`gunicorn -c deploy/gunicorn.conf.py <app>` on 127.0.0.1:<port>, once it answers `ready_path`."""
    env = dict(env, BIND=f"127.0.0.1:{port}", GUNICORN_ACCESS_LOG="", LOG_LEVEL="WARNING", PYTHONPATH=str(REPO))
    process = procs.spawn([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", app], env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{app} exited:\n{output(process)}")
        try:
            requests.get(f"http://127.0.0.1:{port}{ready_path}", timeout=1)
            if worker_pid(process.pid):
                return process
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{app} did not answer within 30 s:\n{output(process)}")


def worker_pid(arbiter: int) -> int | None:
    """The (single) gunicorn worker under `arbiter`."""
    try:
        children = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def cpu_seconds(pid: int) -> float:
    """On-CPU time of every thread of `pid` (schedstat: nanoseconds, finer than /proc/<pid>/stat's ticks)."""
    total = 0
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            total += int(Path(path).read_text().split()[0])
        except (OSError, IndexError, ValueError):
            pass
    return total / 1e9


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
