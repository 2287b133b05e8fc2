"""Runs code-node code in a separate, resource-limited process without network access.

Python runs as ``python -I python_runner.py``, JavaScript as ``node js_runner.js``, both started by
``launch.py`` (RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE) inside a new network namespace when the
host allows one (``unshare -rn``); the runners also disable sockets and process creation.
stdin/stdout/stderr are temporary files, so output size is bounded by RLIMIT_FSIZE.
Jinja2 templates render in long-lived sandbox processes of their own (``templates.py``).
"""
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
_NODE_VIRTUAL_SLACK_MB = 2048  # V8 reserves address space up front; its heap is capped by --max-old-space-size
_POLL_SECONDS = 0.02
_PASSED_THROUGH = frozenset({"OutputTooLong"})  # runner error types the caller tells apart


class SandboxError(Exception):
    """The code failed; ``error_type`` classifies it (CodeTimeout, CodeMemoryError, CodeRuntimeError...)."""

    def __init__(self, message: str, error_type: str):
        super().__init__(message)
        self.message = message
        self.error_type = error_type


class SandboxCancelled(Exception):
    """The caller's ``cancelled()`` became true; the process was killed."""


def run_code(language: str, code: str, inputs: dict, limits, cancelled: Callable[[], bool]) -> dict:
    """Run ``main`` of ``code`` with ``inputs``; returns its dict. Raises SandboxError or SandboxCancelled."""
    command = _command(language, limits)
    payload = json.dumps({"code": code, "inputs": inputs}, ensure_ascii=False, default=str)
    with tempfile.TemporaryDirectory(prefix="wf-code-") as work:
        paths = {name: Path(work) / name for name in ("stdin", "stdout", "stderr")}
        paths["stdin"].write_text(payload, encoding="utf-8")
        with open(paths["stdin"], "rb") as stdin, open(paths["stdout"], "wb") as out, \
                open(paths["stderr"], "wb") as err:
            process = subprocess.Popen(command, stdin=stdin, stdout=out, stderr=err, cwd=work,
                                       env=sandbox_environment(work), start_new_session=True, close_fds=True)
            timed_out = _wait(process, limits.code_timeout, cancelled)
        stdout = _tail(paths["stdout"], limits.code_output_bytes)
        stderr = _tail(paths["stderr"], 4000)
    if timed_out:
        raise SandboxError(f"Code execution timed out after {limits.code_timeout:g}s", "CodeTimeout")
    return interpret(process.returncode, stdout, stderr, limits)


def _command(language: str, limits) -> list[str]:
    memory = int(limits.code_memory_mb) * 1024 * 1024
    cpu = int(limits.code_timeout) + 1
    if language == "python3":
        target = [sys.executable, "-I", str(HERE / "python_runner.py")]
    elif language == "javascript":
        node = shutil.which("node")
        if node is None:
            raise SandboxError("JavaScript code needs Node.js, which is not installed here", "CodeNotAvailable")
        memory += _NODE_VIRTUAL_SLACK_MB * 1024 * 1024
        target = [node, f"--max-old-space-size={limits.code_memory_mb}", str(HERE / "js_runner.js")]
    else:
        raise SandboxError(f"Unsupported code language '{language}'", "CodeLanguageError")
    launch = [sys.executable, "-I", str(HERE / "launch.py"), str(memory), str(cpu), str(limits.code_output_bytes), "--"]
    return isolation_prefix() + launch + target


@functools.lru_cache(maxsize=1)
def isolation_prefix() -> list[str]:
    """``["unshare", "-rn"]`` when the host lets us create a network namespace, else []."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    try:
        probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return []
    return [unshare, "-rn"] if probe.returncode == 0 else []


def sandbox_environment(work: str) -> dict:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": work, "TMPDIR": work}


def _wait(process: subprocess.Popen, timeout: float, cancelled: Callable[[], bool]) -> bool:
    """Wait for exit; True when killed for exceeding ``timeout``. Raises SandboxCancelled."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            process.wait(timeout=_POLL_SECONDS)
            return False
        except subprocess.TimeoutExpired:
            pass
        if cancelled():
            kill_process(process)
            raise SandboxCancelled()
        if time.monotonic() > deadline:
            kill_process(process)
            return True


def kill_process(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def _tail(path: Path, limit: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - limit))
        return handle.read().decode("utf-8", errors="replace")


def interpret(returncode: int, stdout: str, stderr: str, limits) -> dict:
    outcome = _last_json_line(stdout)
    if outcome is None:
        raise crash_error(returncode, stderr, limits)
    if outcome.get("ok"):
        return outcome.get("result") or {}
    error_type = str(outcome.get("error_type") or "Error")
    if error_type in _PASSED_THROUGH:
        raise SandboxError(str(outcome.get("error")), error_type)
    if error_type == "MemoryError" or error_type == "RangeError" and "allocation" in str(outcome.get("error")):
        raise _memory_error(limits)
    raise SandboxError(f"{error_type}: {outcome.get('error')}", "CodeRuntimeError")


def crash_error(returncode: int, stderr: str, limits) -> SandboxError:
    if returncode == -signal.SIGXCPU:
        return SandboxError("Code execution exceeded the CPU time limit", "CodeTimeout")
    if returncode == -signal.SIGXFSZ:
        return SandboxError("Code output is too large", "CodeOutputTooLarge")
    if "heap out of memory" in stderr or "MemoryError" in stderr or returncode in (-signal.SIGABRT, 134):
        return _memory_error(limits)
    detail = stderr.strip()[-1000:] or "no output"
    return SandboxError(f"Code execution failed (exit code {returncode}): {detail}", "CodeRuntimeError")


def _memory_error(limits) -> SandboxError:
    return SandboxError(f"Code execution exceeded the memory limit ({limits.code_memory_mb} MB)", "CodeMemoryError")


def _last_json_line(stdout: str) -> dict | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    return None
