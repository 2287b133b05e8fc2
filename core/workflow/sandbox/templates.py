"""Jinja2 rendering in long-lived processes, so a template costs a pipe round trip, not a start-up.

Templates are not code: Jinja2's ``SandboxedEnvironment`` (in ``jinja_runner.py``) is what keeps them
from reaching Python internals. The process bounds what the sandbox cannot: each renderer is the
server's Python under ``prlimit`` (address space; no CPU limit, which would add up over renders) in a
network namespace of its own when the host allows one (``unshare -rn``), and answers one JSON line
per request line. A render that passes ``limits.template_timeout``, is cancelled, fails or leaves the
process in doubt kills that process; a good one returns it to a small idle pool. The pool belongs to one
process id, so a forked child (an RQ work horse) never shares its parent's renderers.
"""
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from core.workflow.sandbox.errors import SandboxCancelled, SandboxError
from core.workflow.sandbox.outcome import interpret

HERE = Path(__file__).resolve().parent

_POLL_SECONDS = 0.02
_MAX_IDLE = 4
_READ_CHUNK = 65536


class _Renderer:
    """One renderer process and its pipes; used by one thread at a time."""

    def __init__(self, memory_mb: int):
        limit = [shutil.which("prlimit") or "prlimit", f"--as={int(memory_mb) * 1024 * 1024}", "--core=0", "--"]
        command = _network_namespace() + limit + [sys.executable, "-I", str(HERE / "jinja_runner.py")]
        work = tempfile.gettempdir()
        self.memory_mb = memory_mb
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, cwd=work, env=_environment(work),
                                        start_new_session=True, close_fds=True)

    def exchange(self, line: bytes, timeout: float, cancelled: Callable[[], bool]) -> bytes | None:
        """Send one request line; the answer line, or None when the process ended first.

        Raises SandboxCancelled, or SandboxError("CodeTimeout") past `timeout` seconds.
        """
        self.process.stdin.write(line)
        self.process.stdin.flush()
        fd, received, deadline = self.process.stdout.fileno(), b"", time.monotonic() + timeout
        while not received.endswith(b"\n"):
            if cancelled():
                raise SandboxCancelled()
            if time.monotonic() > deadline:
                raise SandboxError(f"Code execution timed out after {timeout:g}s", "CodeTimeout")
            if select.select([fd], [], [], _POLL_SECONDS)[0]:
                chunk = os.read(fd, _READ_CHUNK)
                if not chunk:
                    return None
                received += chunk
        return received

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self.process.kill()
        self.process.wait()


@functools.lru_cache(maxsize=1)
def _network_namespace() -> list[str]:
    """``["unshare", "-rn"]`` when this host lets us create a network namespace, else []."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    try:
        probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return []
    return [unshare, "-rn"] if probe.returncode == 0 else []


def _environment(work: str) -> dict:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": work, "TMPDIR": work}


class _Pool:
    """Idle renderers of this process id."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._idle: list[_Renderer] = []

    def take(self, memory_mb: int) -> _Renderer:
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's renderers are not ours to use
                self._pid, self._idle = os.getpid(), []
            while self._idle:
                renderer = self._idle.pop()
                if renderer.process.poll() is None and renderer.memory_mb == memory_mb:
                    return renderer
                renderer.kill()
        return _Renderer(memory_mb)

    def give_back(self, renderer: _Renderer) -> None:
        with self._lock:
            if self._pid == os.getpid() and len(self._idle) < _MAX_IDLE:
                self._idle.append(renderer)
                return
        renderer.kill()


_POOL = _Pool()


def render_template(template: str, variables: dict, limits, cancelled: Callable[[], bool]) -> str:
    """Render ``template`` with ``variables`` in a sandbox process. Raises SandboxError or SandboxCancelled.

    Error types: CodeTimeout, CodeMemoryError, OutputTooLong (past ``limits.template_max_length``
    characters), or CodeRuntimeError whose message starts with the template's error (TemplateSyntaxError...).
    """
    request = {"code": template, "inputs": variables, "max_length": limits.template_max_length}
    line = (json.dumps(request, default=str) + "\n").encode("ascii")  # ASCII: unpaired surrogates travel too
    renderer = _POOL.take(limits.code_memory_mb)
    try:
        answer = renderer.exchange(line, limits.template_timeout, cancelled)
        if answer is None:
            interpret(renderer.process.wait(), "", "", limits)  # no answer line: raises the crash's error
        output = interpret(0, answer.decode("ascii", "replace"), "", limits)["output"]
    except BaseException:
        renderer.kill()  # after any failure the process is in doubt: the next render starts a fresh one
        raise
    _POOL.give_back(renderer)
    return output
