"""Exceptions raised inside the workflow engine (never part of the wire contract)."""
from core.text import clean_text


class WorkflowError(Exception):
    """The run cannot continue (max steps reached, malformed graph, ...)."""


class NodeError(Exception):
    """A node failed; ``error_type`` names the kind of failure (shown as Dify's ``error_type``)."""

    def __init__(self, message: str, error_type: str = "NodeError"):
        message = clean_text(message)  # error texts are stored and streamed like outputs
        super().__init__(message)
        self.message = message
        self.error_type = error_type


class RunAborted(Exception):
    """The run was stopped by the user or cancelled because another branch failed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
