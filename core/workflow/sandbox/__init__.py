"""Runs code-node code under operating-system isolation (bubblewrap + seccomp + rlimits).

``run_code`` refuses to run anything when the host cannot isolate code (:mod:`probe`). Each run gets
new namespaces, a read-only runtime, a private scratch tmpfs, an unprivileged uid and a seccomp
filter (:mod:`command`, :mod:`policy`); wall time, CPU, memory, tasks and output are bounded, and
every process of the run is killed when it ends (:mod:`process`). Results are read back by
:mod:`outcome`. The runners (``python_runner.py``, ``js_runner.js``) only speak the protocol: they
are not a security boundary. Jinja2 templates render in pooled processes of their own
(:mod:`templates`): Jinja2's sandbox is their boundary, the process only bounds time and memory.
"""
import json
from typing import Callable

from core.workflow.sandbox import command, outcome, probe
from core.workflow.sandbox.errors import SandboxCancelled, SandboxError, SandboxUnavailable
from core.workflow.sandbox.process import Launch, execute
from core.workflow.sandbox.settings import SandboxSettings

__all__ = ["SandboxCancelled", "SandboxError", "SandboxSettings", "SandboxUnavailable", "run_code"]


def run_code(language: str, code: str, inputs: dict, limits, cancelled: Callable[[], bool],
             settings: SandboxSettings | None = None) -> dict:
    """Run ``main`` of ``code`` with ``inputs``; returns its dict.

    Raises SandboxError (SandboxUnavailable when the host cannot isolate code) or SandboxCancelled.
    """
    job = command.Job(language, limits, (settings or SandboxSettings()).resolved())
    command.interpreter(job)  # unknown or missing language: a clear error before anything starts
    probe.ensure_available(job)
    request = {"code": code, "inputs": inputs, "path": [command.PACKAGES_MOUNT] if job.settings.python_packages else []}
    launch = Launch(lambda fd: command.build(job, fd), json.dumps(request, ensure_ascii=False, default=str),
                    float(limits.code_timeout), int(limits.code_output_bytes))
    finished = execute(launch, cancelled)
    if finished.timed_out:
        raise outcome.timeout_error(limits)
    if finished.output_full:
        raise SandboxError("Code output is too large", "CodeOutputTooLarge")
    return outcome.interpret(finished.returncode, finished.stdout, finished.stderr, limits)
