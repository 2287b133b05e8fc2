"""Where the sandbox finds its tools and runtimes (``SandboxSettings``), set by the operator."""
import os
import shutil
from dataclasses import dataclass

NOBODY = 65534


def _first_present(*candidates: str) -> str:
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            return candidate
    return candidates[-1] if candidates else ""


@dataclass(frozen=True)
class SandboxSettings:
    """Paths of bwrap and the interpreters, the extra-packages folder and the uid to run as.

    The interpreters must be readable by ``uid`` (the sandbox never sees the server's own Python):
    Debian's ``/usr/bin/python3`` and ``/usr/bin/node`` by default. ``python_packages`` is a folder
    made with ``pip install --target`` (``flask sandbox install``), mounted read-only and put on
    ``sys.path``; empty for none. ``uid``/``gid`` apply when the server runs as root.
    """

    bwrap: str = "bwrap"
    python: str = ""
    node: str = ""
    python_packages: str = ""
    uid: int = NOBODY
    gid: int = NOBODY

    def resolved(self) -> "SandboxSettings":
        """A copy with empty interpreter paths replaced by the defaults found on this host."""
        python = self.python or _first_present("/usr/bin/python3", "/usr/local/bin/python3")
        node = self.node or _first_present("/usr/bin/node", shutil.which("node") or "")
        return SandboxSettings(self.bwrap, python, node, self.python_packages, self.uid, self.gid)
