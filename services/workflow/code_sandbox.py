"""The code sandbox as the server configures it: settings and limits from config, checks, extra packages."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from services.errors import AppError


class SandboxSetupFailed(AppError):
    code, status, message = "code_sandbox_unavailable", 503, "The code sandbox is not usable on this host."


@dataclass
class SandboxReport:
    """What ``flask sandbox check`` prints."""

    python: str
    node: str
    packages: list[str]


def settings(config: Mapping[str, Any]):
    """The SandboxSettings the CODE_SANDBOX_* variables describe."""
    from core.workflow.sandbox import SandboxSettings

    return SandboxSettings(bwrap=config["CODE_SANDBOX_BWRAP"], python=config["CODE_SANDBOX_PYTHON"],
                           node=config["CODE_SANDBOX_NODE"], python_packages=config["CODE_SANDBOX_PYTHON_PACKAGES"],
                           uid=int(config["CODE_SANDBOX_UID"]), gid=int(config["CODE_SANDBOX_GID"]))


def limits(config: Mapping[str, Any]):
    """Run limits whose code and template bounds come from CODE_SANDBOX_* and TEMPLATE_TRANSFORM_* (others: defaults)."""
    from core.workflow import Limits

    return Limits(code_timeout=float(config["CODE_SANDBOX_TIMEOUT_SECONDS"]),
                  code_memory_mb=int(config["CODE_SANDBOX_MEMORY_MB"]),
                  code_output_bytes=int(config["CODE_SANDBOX_OUTPUT_BYTES"]),
                  code_max_tasks=int(config["CODE_SANDBOX_MAX_TASKS"]),
                  code_scratch_mb=int(config["CODE_SANDBOX_SCRATCH_MB"]),
                  template_max_length=int(config["TEMPLATE_TRANSFORM_MAX_LENGTH"]),
                  template_timeout=float(config["TEMPLATE_TRANSFORM_TIMEOUT"]))


_VERSION_CODE = {"python3": "import sys\ndef main():\n    return {'v': sys.version.split()[0]}\n",
                 "javascript": "function main() { return {v: process.version}; }"}


def check(config: Mapping[str, Any]) -> SandboxReport:
    """Run ``main`` in the real sandbox in both languages. Raises SandboxSetupFailed when Python cannot run."""
    from core.workflow.sandbox import packages

    python = _version(config, "python3")
    try:
        node = _version(config, "javascript")
    except SandboxSetupFailed as exc:
        node = f"unavailable: {exc.message}"
    return SandboxReport(python, node, packages.installed(settings(config)))


def _version(config: Mapping[str, Any], language: str) -> str:
    from core.workflow.sandbox import SandboxError, run_code

    try:
        return run_code(language, _VERSION_CODE[language], {}, limits(config), lambda: False, settings(config))["v"]
    except SandboxError as exc:
        raise SandboxSetupFailed(exc.message) from exc


def install_packages(config: Mapping[str, Any], names: list[str]) -> list[str]:
    """pip-install ``names`` into CODE_SANDBOX_PYTHON_PACKAGES; returns what it holds. Raises SandboxSetupFailed."""
    from core.workflow.sandbox import SandboxError, packages

    try:
        packages.install(settings(config), names)
    except SandboxError as exc:
        raise SandboxSetupFailed(exc.message) from exc
    return packages.installed(settings(config))
