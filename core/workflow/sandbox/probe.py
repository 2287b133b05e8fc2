"""Checks once per settings that the host can isolate code; until it can, code nodes are refused."""
import subprocess

from core.workflow.sandbox import command, policy
from core.workflow.sandbox.errors import SandboxError, SandboxUnavailable
from core.workflow.sandbox.settings import SandboxSettings

_PROBE_SECONDS = 10
_confirmed: set[SandboxSettings] = set()  # successes only: a host fixed later is picked up without a restart


def ensure_available(job: command.Job) -> None:
    """Raise SandboxUnavailable unless a trivial Python run succeeds in ``job``'s full sandbox."""
    if job.settings in _confirmed:
        return
    try:
        _check(job)
    except SandboxUnavailable:
        raise
    except SandboxError as exc:
        raise SandboxUnavailable(exc.message) from exc
    _confirmed.add(job.settings)


def _check(job: command.Job) -> None:
    try:
        program = policy.bpf_program()
    except (OSError, ValueError, RuntimeError) as exc:
        raise SandboxUnavailable(f"seccomp filter: {exc}") from exc
    python = command.Job("python3", job.limits, job.settings)
    argv = command.wrapper(python, 0) + [job.settings.python, "-I", "-S", "-c", "pass"]  # the filter on stdin
    try:
        probe = subprocess.run(argv, input=program, capture_output=True, timeout=_PROBE_SECONDS,
                               env={"PATH": "/usr/local/bin:/usr/bin:/bin"})
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxUnavailable(f"{argv[0]}: {exc}") from exc
    if probe.returncode != 0:
        raise SandboxUnavailable(probe.stderr.decode("utf-8", "replace").strip()[-300:]
                                 or f"exit code {probe.returncode}")
