"""The sandbox's exceptions, shared by its modules."""


class SandboxError(Exception):
    """The code failed; ``error_type`` classifies it (CodeTimeout, CodeMemoryError, CodeRuntimeError...)."""

    def __init__(self, message: str, error_type: str):
        super().__init__(message)
        self.message = message
        self.error_type = error_type


class SandboxUnavailable(SandboxError):
    """The host cannot isolate code (no bwrap, no user namespaces, unreadable runtime): nothing was run."""

    def __init__(self, detail: str):
        super().__init__(f"Code execution is unavailable: the code sandbox cannot isolate code on this host "
                         f"({detail})", "CodeSandboxUnavailable")


class SandboxCancelled(Exception):
    """The caller's ``cancelled()`` became true; every process of the run was killed."""
