"""Extra Python packages for the sandbox: ``pip install --target`` into the operator's folder.

The folder is mounted read-only at ``/opt/packages`` and put first on ``sys.path`` inside. It is
installed for the *sandbox's* interpreter version and compiled by that interpreter (the sandbox
cannot write ``__pycache__``), and made readable by the sandbox's unprivileged uid.
"""
import os
import subprocess
import sys
from pathlib import Path

from core.workflow.sandbox.errors import SandboxError
from core.workflow.sandbox.settings import SandboxSettings

_PIP_SECONDS = 600


def interpreter_version(settings: SandboxSettings) -> str:
    """``"3.11"`` for the sandbox's Python. Raises SandboxError when it cannot be run."""
    python = settings.resolved().python
    try:
        done = subprocess.run([python, "-I", "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxError(f"Cannot run the sandbox's Python {python}: {exc}", "CodeNotAvailable") from exc
    return done.stdout.strip()


def pip_command(settings: SandboxSettings, packages: list[str]) -> list[str]:
    """The pip call (run by the server's Python) that installs ``packages`` for the sandbox's Python."""
    argv = [sys.executable, "-m", "pip", "install", "--quiet", "--upgrade", "--target", settings.python_packages]
    version = interpreter_version(settings)
    if version != "%d.%d" % sys.version_info[:2]:
        argv += ["--python-version", version, "--only-binary=:all:"]
    return argv + list(packages)


def install(settings: SandboxSettings, packages: list[str]) -> None:
    """Install ``packages`` into ``settings.python_packages``. Raises SandboxError with pip's complaint."""
    if not settings.python_packages:
        raise SandboxError("Set CODE_SANDBOX_PYTHON_PACKAGES to the folder for extra packages", "CodeNotAvailable")
    target = Path(settings.python_packages)
    target.mkdir(parents=True, exist_ok=True)
    for command in (pip_command(settings, packages), [settings.resolved().python, "-I", "-m", "compileall", "-q",
                                                      str(target)]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=_PIP_SECONDS)
        if done.returncode != 0:
            raise SandboxError((done.stderr or done.stdout).strip()[-2000:], "CodeNotAvailable")
    _open_to_everyone(target)


def installed(settings: SandboxSettings) -> list[str]:
    """Distribution names found in the packages folder (``name==version``)."""
    if not settings.python_packages or not os.path.isdir(settings.python_packages):
        return []
    return sorted(entry[:-len(".dist-info")].replace("-", "==", 1)
                  for entry in os.listdir(settings.python_packages) if entry.endswith(".dist-info"))


def _open_to_everyone(target: Path) -> None:
    """a+rX on the folder and its contents: the sandbox mounts it as another uid (its parents must be searchable)."""
    for root, dirs, files in os.walk(target):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            path = os.path.join(root, name)
            os.chmod(path, os.stat(path).st_mode | 0o444)
    os.chmod(target, 0o755)
