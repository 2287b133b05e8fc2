"""Run-wide shared state (counters, records, stop polling) and cancellation scopes."""
import threading
import time
from typing import Callable

from core.workflow.context import STOPPED_BY_USER, RunContext
from core.workflow.errors import RunAborted, WorkflowError


class CancelScope:
    """A cancellable region (the run, an iteration round, ...). Cancelling a scope cancels its children.

    ``hooks`` are called on cancellation to wake blocked work (e.g. close an LLM stream).
    """

    def __init__(self, parent: "CancelScope | None" = None):
        self.parent = parent
        self.reason: str | None = None
        self._children: list = []
        self._hooks: list = []
        self._lock = threading.Lock()
        if parent is not None:
            parent._adopt(self)

    def child(self) -> "CancelScope":
        """A new scope cancelled together with this one."""
        return CancelScope(self)

    def cancelled_reason(self) -> str | None:
        """The reason this scope (or an enclosing one) was cancelled, else None."""
        if self.reason is not None:
            return self.reason
        return self.parent.cancelled_reason() if self.parent else None

    def cancel(self, reason: str) -> None:
        """Cancel this scope and its children once; runs their hooks."""
        with self._lock:
            if self.reason is not None:
                return
            self.reason = reason
            hooks, children = list(self._hooks), list(self._children)
        for hook in hooks:
            _call_quietly(hook)
        for child in children:
            child.cancel(reason)

    def add_hook(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` on cancellation (at once if already cancelled)."""
        with self._lock:
            self._hooks.append(hook)
        if self.cancelled_reason() is not None:
            _call_quietly(hook)

    def remove_hook(self, hook: Callable[[], None]) -> None:
        """Forget a hook added with :meth:`add_hook` (no-op if absent)."""
        with self._lock:
            if hook in self._hooks:
                self._hooks.remove(hook)

    def _adopt(self, child: "CancelScope") -> None:
        with self._lock:
            self._children.append(child)
            reason = self.reason
        if reason is not None:
            child.cancel(reason)


class RunState:
    """Everything shared by the threads of one run."""

    def __init__(self, ctx: RunContext):
        self.ctx = ctx
        self.limits = ctx.limits
        self.scope = CancelScope()
        self.inputs: dict = {}
        self.started = time.monotonic()
        self.node_executions: list = []
        self.text_chunks: list = []
        self.total_tokens = 0
        self.steps = 0
        self.exceptions = 0
        self._index = 0
        self._last_poll = 0.0
        self._stop_seen = False
        self._lock = threading.Lock()

    def emit(self, event: str, data: dict) -> None:
        """Hand an event to the caller's ``emit``; text chunks are also kept for the final answer."""
        if event == "text_chunk":
            with self._lock:
                self.text_chunks.append(data["text"])
        self.ctx.emit(event, data)

    def next_index(self) -> int:
        """The next node execution's 1-based index. Raises WorkflowError past ``max_steps``."""
        with self._lock:
            self.steps += 1
            self._index += 1
            if self.steps > self.limits.max_steps:
                raise WorkflowError(f"Max steps {self.limits.max_steps} reached.")
            return self._index

    def add_tokens(self, count: int) -> None:
        """Add a node's model tokens to the run total."""
        with self._lock:
            self.total_tokens += int(count or 0)

    def add_exception(self) -> None:
        """Count a node that failed but was handled by its error strategy."""
        with self._lock:
            self.exceptions += 1

    def record(self, execution: dict) -> None:
        """Keep a finished node execution for RunResult.node_executions."""
        with self._lock:
            self.node_executions.append(execution)

    def poll_stop(self, force: bool = False) -> bool:
        """Ask ``ctx.should_stop`` (at most every ``stop_poll_interval`` unless ``force``); on yes, cancel the run."""
        now = time.monotonic()
        with self._lock:
            if self._stop_seen:
                return True
            if not force and now - self._last_poll < self.limits.stop_poll_interval:
                return False
            self._last_poll = now
        if self.ctx.should_stop():
            with self._lock:
                self._stop_seen = True
            self.scope.cancel(STOPPED_BY_USER)
            return True
        return False

    def check_time(self) -> None:
        """Raise WorkflowError once the run exceeds ``max_execution_time``."""
        if time.monotonic() - self.started > self.limits.max_execution_time:
            raise WorkflowError(f"Max execution time {self.limits.max_execution_time:g}s reached.")

    @property
    def stopped_by_user(self) -> bool:
        """True once ``ctx.should_stop()`` answered yes."""
        return self._stop_seen

    def checkpoint(self, scope: CancelScope) -> None:
        """Raise RunAborted if the user stopped the run or ``scope`` was cancelled."""
        self.poll_stop()
        reason = scope.cancelled_reason()
        if reason is not None:
            raise RunAborted(reason)

    def sleep(self, seconds: float, scope: CancelScope) -> None:
        """Sleep up to ``seconds``, waking early (RunAborted) on stop/cancel."""
        deadline = time.monotonic() + seconds
        while True:
            self.checkpoint(scope)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(remaining, self.limits.stop_poll_interval))


def _call_quietly(hook: Callable[[], None]) -> None:
    try:
        hook()
    except Exception:  # a failing wake-up hook must not mask the cancellation itself
        pass
