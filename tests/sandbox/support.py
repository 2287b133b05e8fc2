"""Helpers for the escape tests: run code for real, make host files the code must not reach, watch processes."""
import os
import shutil
import tempfile
import textwrap
from contextlib import contextmanager
from pathlib import Path

from core.workflow import Limits
from core.workflow.sandbox import SandboxSettings, run_code

FAST = Limits(code_timeout=2.0, code_memory_mb=256, code_max_tasks=16, code_scratch_mb=4,
              code_output_bytes=256 * 1024)
NOBODY = 65534


def program(text: str) -> str:
    """Source written indented inside a test, dedented."""
    return textwrap.dedent(text).lstrip("\n")


def sandboxed(language: str, source: str, inputs: dict | None = None, limits: Limits = FAST,
              settings: SandboxSettings | None = None) -> dict:
    """``main``'s dict from a real sandboxed run (raises the sandbox's errors)."""
    return run_code(language, source, inputs or {}, limits, lambda: False, settings)


@contextmanager
def open_host_folder():
    """A folder anyone on the host may read and write, holding ``secret.txt``: only isolation keeps code out."""
    folder = Path(tempfile.mkdtemp(prefix="sandbox-escape-", dir="/tmp"))
    try:
        folder.chmod(0o777)
        secret = folder / "secret.txt"
        secret.write_text(f"host-secret-{os.getpid()}-{id(folder)}")
        secret.chmod(0o644)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def children_of(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (read from /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def runner_started(pid: int) -> bool:
    """True once a descendant of ``pid`` is the Python runner (whose source is its ``-c`` argument)."""
    for child in children_of(pid):
        try:
            if b"_call_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                return True
        except OSError:
            pass
    return False


def sandbox_processes(pids: set[int]) -> set[int]:
    """The live ones of ``pids`` that belong to a sandbox run (setpriv, bwrap, or a runner inside)."""
    found = set()
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if alive(pid) and any(mark in command for mark in (b"bwrap", b"setpriv", b"_call_main", b"js_runner")):
            found.add(pid)
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def host_uid(pid: int) -> int:
    """The real uid of ``pid`` as the host kernel sees it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise ValueError(pid)
