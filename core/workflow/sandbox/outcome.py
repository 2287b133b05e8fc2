"""Turns what a run left (exit status, the runner's last JSON line, stderr) into a dict or a SandboxError."""
import json
import signal

from core.workflow.sandbox.errors import SandboxError

_INIT_SIGNAL_BASE = 128  # bwrap's PID-1 reports a child killed by signal N as exit status 128 + N
_PASSED_THROUGH = frozenset({"OutputTooLong"})  # runner error types the caller tells apart


def interpret(returncode: int, stdout: str, stderr: str, limits) -> dict:
    """The ``main`` result, or raise SandboxError classified as Dify's code node does."""
    outcome = _last_json_line(stdout)
    if outcome is None:
        raise _crash(returncode, stderr, limits)
    if outcome.get("ok"):
        return outcome.get("result") or {}
    error_type = str(outcome.get("error_type") or "Error")
    if error_type in _PASSED_THROUGH:
        raise SandboxError(str(outcome.get("error")), error_type)
    if error_type == "MemoryError" or error_type == "RangeError" and "allocation" in str(outcome.get("error")):
        raise memory_error(limits)
    raise SandboxError(f"{error_type}: {outcome.get('error')}", "CodeRuntimeError")


def timeout_error(limits) -> SandboxError:
    return SandboxError(f"Code execution timed out after {limits.code_timeout:g}s", "CodeTimeout")


def memory_error(limits) -> SandboxError:
    return SandboxError(f"Code execution exceeded the memory limit ({limits.code_memory_mb} MB)", "CodeMemoryError")


def _killed_by(returncode: int, signum: int) -> bool:
    return returncode in (-signum, _INIT_SIGNAL_BASE + signum)


def _crash(returncode: int, stderr: str, limits) -> SandboxError:
    if _killed_by(returncode, signal.SIGXCPU):
        return SandboxError("Code execution exceeded the CPU time limit", "CodeTimeout")
    if _killed_by(returncode, signal.SIGXFSZ):
        return SandboxError("Code output is too large", "CodeOutputTooLarge")
    if "heap out of memory" in stderr or "MemoryError" in stderr or _killed_by(returncode, signal.SIGABRT):
        return memory_error(limits)
    detail = stderr.strip()[-1000:] or "no output"
    return SandboxError(f"Code execution failed (exit code {returncode}): {detail}", "CodeRuntimeError")


def _last_json_line(stdout: str) -> dict | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    return None
