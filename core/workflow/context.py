"""What a run receives (``RunContext``, ``Limits``) and what it returns (``RunResult``)."""
from dataclasses import dataclass, field
from typing import Any, Callable

from core.netguard import Guard
from core.workflow.sandbox.settings import SandboxSettings

STOPPED_BY_USER = "Stopped by user."


def _discard(event: str, data: dict) -> None:
    """Default ``emit``: drop the event."""


def _never() -> bool:
    return False


@dataclass
class Limits:
    """Bounds of one run. Times are seconds, sizes bytes unless named ``_mb``."""

    max_steps: int = 500
    max_execution_time: float = 1200.0
    max_parallel: int = 10
    code_timeout: float = 10.0
    code_memory_mb: int = 256
    code_output_bytes: int = 4 * 1024 * 1024
    code_max_string_length: int = 400_000
    code_max_tasks: int = 64
    code_scratch_mb: int = 32
    http_connect_timeout: float = 10.0
    http_read_timeout: float = 60.0
    http_write_timeout: float = 20.0
    http_max_response_bytes: int = 10 * 1024 * 1024
    template_max_length: int = 80_000
    template_timeout: float = 5.0
    max_iteration_items: int = 1000
    stop_poll_interval: float = 0.05


@dataclass
class RunContext:
    """Collaborators and settings injected into :func:`core.workflow.engine.run_graph`.

    ``emit(event, data)`` receives node/iteration/text events (called from worker threads; must be
    thread-safe). ``llm_settings_for(node_data)`` maps a node's ``model`` block to ProviderSettings.
    ``should_stop()`` is polled often (throttled to ``limits.stop_poll_interval``): keep it cheap.
    ``call_tool(provider_id, tool_name, arguments) -> dict`` runs an MCP tool (``text``/``json``/``files``).
    ``conversation_variables`` / ``environment_variables`` map names to current values.
    ``code_sandbox`` locates bwrap, the interpreters and the extra packages for code nodes.
    ``mode`` is "workflow" or "advanced-chat". http-request nodes reach private and loopback
    addresses only with ``http_allow_private``; ``http_guard`` replaces that policy (and the resolver)
    wholesale, e.g. in tests.
    """

    emit: Callable[[str, dict], None] = _discard
    llm_settings_for: Callable[[dict], Any] | None = None
    should_stop: Callable[[], bool] = _never
    call_tool: Callable[[str, str, dict], dict] | None = None
    http_allow_private: bool = False
    http_guard: Guard | None = None
    code_enabled: bool = True
    code_sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    mode: str = "workflow"
    conversation_variables: dict = field(default_factory=dict)
    environment_variables: dict = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)


@dataclass
class RunResult:
    """The outcome of a run; the caller turns it into ``workflow_finished``.

    ``status`` is succeeded | failed | stopped | partial-succeeded. ``answer`` is every text chunk
    streamed during the run, concatenated (the advanced-chat message answer).
    """

    status: str
    outputs: dict = field(default_factory=dict)
    error: str | None = None
    total_tokens: int = 0
    total_steps: int = 0
    exceptions_count: int = 0
    elapsed_time: float = 0.0
    node_executions: list = field(default_factory=list)
    conversation_variables: dict = field(default_factory=dict)
    answer: str = ""
