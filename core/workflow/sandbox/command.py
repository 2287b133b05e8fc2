"""Builds the command line of one sandboxed run: [setpriv] bwrap <isolation> prlimit <limits> <interpreter>.

What the code sees: a read-only ``/usr`` (and the ``/bin``, ``/lib``... links into it), the extra
packages at ``/opt/packages``, a fresh ``/proc`` of its own PID namespace, a minimal ``/dev`` and a
private size-limited tmpfs at ``/tmp`` (its working directory); nothing else of the host. It runs in
new user, PID, IPC, UTS, cgroup and network namespaces, as an unprivileged uid, under the seccomp
filter of :mod:`policy`, and dies with its parent.
"""
import os
from dataclasses import dataclass
from pathlib import Path

from core.workflow.sandbox.errors import SandboxError
from core.workflow.sandbox.settings import SandboxSettings

HERE = Path(__file__).resolve().parent
RUNTIME_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc/ld.so.cache")
PACKAGES_MOUNT = "/opt/packages"
SCRATCH = "/tmp"
_OPEN_FILES = 256
_NODE_VIRTUAL_SLACK_MB = 2048  # V8 reserves address space up front; its heap is capped by --max-old-space-size
# one malloc arena per thread would reserve 64 MB of address space each, against RLIMIT_AS
_ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": SCRATCH, "TMPDIR": SCRATCH, "MALLOC_ARENA_MAX": "2"}


@dataclass(frozen=True)
class Job:
    """One run to build: the language, the run's limits (``core.workflow.Limits``) and the settings."""

    language: str
    limits: object
    settings: SandboxSettings


def build(job: Job, seccomp_fd: int) -> list[str]:
    """The argv to start; ``seccomp_fd`` must be passed to the child. Raises SandboxError (language)."""
    return wrapper(job, seccomp_fd) + interpreter(job)


def wrapper(job: Job, seccomp_fd: int) -> list[str]:
    """Everything before the interpreter: privilege drop, bwrap's isolation, prlimit's limits."""
    return _drop_privileges(job.settings) + _bwrap(job, seccomp_fd) + _prlimit(job)


def interpreter(job: Job) -> list[str]:
    """The runner's command inside the sandbox. Raises SandboxError for an unknown or missing language."""
    if job.language == "python3":
        return [job.settings.python, "-I", "-S", "-c", _runner_source("python_runner.py")]
    if job.language == "javascript":
        if not job.settings.node or not os.path.exists(job.settings.node):
            raise SandboxError("JavaScript code needs Node.js, which is not installed here", "CodeNotAvailable")
        heap = f"--max-old-space-size={job.limits.code_memory_mb}"
        return [job.settings.node, heap, "-e", _runner_source("js_runner.js")]
    raise SandboxError(f"Unsupported code language '{job.language}'", "CodeLanguageError")


def _runner_source(name: str) -> str:
    # passed as -c/-e text: the sandbox never sees the server's files
    return (HERE / name).read_text(encoding="utf-8")


def _drop_privileges(settings: SandboxSettings) -> list[str]:
    """As root, become the unprivileged uid before bwrap, so even the kernel-level uid is not root."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", f"--reuid={settings.uid}", f"--regid={settings.gid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--"]


def _bwrap(job: Job, seccomp_fd: int) -> list[str]:
    scratch_bytes = int(job.limits.code_scratch_mb) * 1024 * 1024
    argv = [job.settings.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
            "--new-session", "--hostname", "sandbox", "--clearenv"]
    for name, value in _ENVIRONMENT.items():
        argv += ["--setenv", name, value]
    argv += _runtime_mounts(job)
    # only the scratch tmpfs is writable: a writable / or /dev would be memory without a bound
    argv += ["--proc", "/proc", "--dev", "/dev", "--size", str(scratch_bytes), "--tmpfs", SCRATCH,
             "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", SCRATCH, "--seccomp", str(seccomp_fd), "--"]
    return argv


def _runtime_mounts(job: Job) -> list[str]:
    argv = []
    for path in RUNTIME_PATHS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            argv += ["--ro-bind", path, path]
    for path in _interpreter_prefixes(job.settings):
        argv += ["--ro-bind", path, path]
    if job.language == "python3" and job.settings.python_packages:
        argv += ["--ro-bind", job.settings.python_packages, PACKAGES_MOUNT]
    return argv


def _interpreter_prefixes(settings: SandboxSettings) -> list[str]:
    """Installation folders of interpreters that live outside /usr (e.g. /opt/python3.11)."""
    prefixes = []
    for binary in (settings.python, settings.node):
        if not binary:
            continue
        prefix = str(Path(os.path.realpath(binary)).parent.parent)
        if prefix != "/" and not any(prefix == p or prefix.startswith(p + "/") for p in RUNTIME_PATHS):
            prefixes.append(prefix)
    return sorted(set(prefixes))


def _prlimit(job: Job) -> list[str]:
    limits = job.limits
    memory = int(limits.code_memory_mb) * 1024 * 1024
    if job.language == "javascript":
        memory += _NODE_VIRTUAL_SLACK_MB * 1024 * 1024
    cpu = int(limits.code_timeout) + 1
    return ["prlimit", f"--as={memory}", f"--cpu={cpu}:{cpu + 1}", f"--fsize={limits.code_output_bytes}",
            f"--nproc={limits.code_max_tasks}", f"--nofile={_OPEN_FILES}", "--core=0", "--"]
