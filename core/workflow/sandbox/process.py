"""Starts a built command with files for stdin/stdout/stderr, waits within the wall time, kills it all."""
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from core.workflow.sandbox import policy
from core.workflow.sandbox.errors import SandboxCancelled

_POLL_SECONDS = 0.02
_KILL_GRACE_SECONDS = 2.0
_HOST_PATH = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


@dataclass
class Finished:
    """What a run left: exit status, the tails of its output, whether the wall time ran out, and whether
    an output file reached the size limit (the runtimes ignore SIGXFSZ and see EFBIG instead)."""

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    output_full: bool


@dataclass(frozen=True)
class Launch:
    """``build(seccomp_fd) -> argv``; the payload for stdin; wall time; bytes of stdout kept."""

    build: Callable[[int], list]
    payload: str
    timeout: float
    stdout_bytes: int


def execute(launch: Launch, cancelled: Callable[[], bool]) -> Finished:
    """Run to the end, or kill every process of the run at ``timeout``. Raises SandboxCancelled."""
    with tempfile.TemporaryDirectory(prefix="wf-code-") as work:
        paths = {name: Path(work) / name for name in ("stdin", "stdout", "stderr")}
        paths["stdin"].write_text(launch.payload, encoding="utf-8")
        filter_fd = _filter_pipe()
        try:
            with open(paths["stdin"], "rb") as stdin, open(paths["stdout"], "wb") as out, \
                    open(paths["stderr"], "wb") as err:
                process = subprocess.Popen(launch.build(filter_fd), stdin=stdin, stdout=out, stderr=err, cwd=work,
                                           env=_HOST_PATH, pass_fds=(filter_fd,), start_new_session=True)
                os.close(filter_fd)
                filter_fd = -1
                timed_out = _wait(process, launch.timeout, cancelled)
        finally:
            if filter_fd >= 0:
                os.close(filter_fd)
        full = any(paths[name].stat().st_size >= launch.stdout_bytes for name in ("stdout", "stderr"))
        return Finished(process.returncode, _tail(paths["stdout"], launch.stdout_bytes),
                        _tail(paths["stderr"], 4000), timed_out, full)


def _filter_pipe() -> int:
    """A pipe's read end holding the seccomp program (a few hundred bytes: it fits the pipe's buffer)."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, policy.bpf_program())
    finally:
        os.close(write_end)
    return read_end


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
            _kill(process)
            raise SandboxCancelled()
        if time.monotonic() > deadline:
            _kill(process)
            return True


def _kill(process: subprocess.Popen) -> None:
    """Kill every process of the run and return once they are all gone.

    SIGKILL to the PID namespace's init (bwrap's child) makes the kernel kill everything in the
    namespace, and the init is reaped only once nothing is left in it; bwrap exits after reaping it.
    So bwrap's exit means the run is over. Its process group is the fallback (--die-with-parent).
    """
    for pid in _children(process.pid):
        _sigkill(lambda: os.kill(pid, signal.SIGKILL))
    try:
        process.wait(timeout=_KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        _sigkill(lambda: os.killpg(process.pid, signal.SIGKILL))
        process.wait()


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _sigkill(send: Callable[[], None]) -> None:
    try:
        send()
    except (ProcessLookupError, PermissionError):
        pass  # already gone


def _tail(path: Path, limit: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - limit))
        return handle.read().decode("utf-8", errors="replace")
