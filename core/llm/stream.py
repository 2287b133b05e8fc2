"""The streaming result object shared by the HTTP and demo providers."""
import time
from typing import Iterator

from core.llm.errors import LLMError
from core.llm.types import ChatResult, Delta, Usage, count_tokens, merge_tool_calls


class ChatStream:
    """Iterable of non-empty :class:`Delta` objects from one completion.

    Accumulates ``text``, ``tool_calls`` (complete, merged), ``finish_reason`` and
    ``usage`` as it goes. ``close()`` may be called at any time (also from another
    greenlet/thread): iteration then stops quietly at the next step and the
    upstream resources are released. Errors surface as :class:`LLMError`.
    Subclasses implement ``_deltas()`` and, when they hold resources, ``_release()``
    and ``_interrupt()``.
    """

    def __init__(self, prompt_tokens: int):
        self.text = ""
        self.finish_reason: str | None = None
        self.closed = False
        self._fragments: list[dict] = []
        self._upstream_usage: dict | None = None
        self._prompt_estimate = prompt_tokens
        self._started = time.monotonic()
        self._first_token_at: float | None = None
        self._ended_at: float | None = None
        self._deltas_iter = self._deltas()

    def _deltas(self) -> Iterator[Delta]:
        raise NotImplementedError

    def _release(self) -> None:
        """Free upstream resources (HTTP response, session). Must be idempotent."""

    def _interrupt(self) -> None:
        """Wake a reader blocked on upstream I/O without touching its buffers (called from another context)."""

    def __iter__(self) -> "ChatStream":
        return self

    def __next__(self) -> Delta:
        if self.closed:
            raise StopIteration
        try:
            delta = next(self._deltas_iter)
        except StopIteration:
            self._end()
            raise
        except LLMError:
            self._end()
            if self.closed:
                raise StopIteration
            raise
        return self._record(delta)

    def __enter__(self) -> "ChatStream":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Stop the stream and close the upstream connection. Idempotent."""
        self.closed = True
        self._end()
        if self._deltas_iter.gi_running:
            # Another thread/greenlet is inside next(): wake it and let it release on its way out.
            self._interrupt()
            return
        self._release()
        self._deltas_iter.close()

    @property
    def has_output(self) -> bool:
        """True once a text or tool-call token was produced (retries are then forbidden)."""
        return self._first_token_at is not None

    @property
    def tool_calls(self) -> list[dict]:
        """Complete tool calls received so far, in OpenAI format."""
        return merge_tool_calls(self._fragments)

    @property
    def usage(self) -> Usage:
        """Upstream-reported token counts when sent, else estimates; timings so far."""
        end = self._ended_at or time.monotonic()
        prompt, completion = self._token_counts()
        first = self._first_token_at
        return Usage(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=prompt + completion,
            latency=end - self._started,
            time_to_first_token=None if first is None else first - self._started,
            time_to_generate=None if first is None else end - first,
        )

    def result(self) -> ChatResult:
        """Drain the stream and return the whole completion."""
        for _ in self:
            pass
        return ChatResult(self.text, self.tool_calls, self.finish_reason, self.usage)

    def _token_counts(self) -> tuple[int, int]:
        reported = self._upstream_usage or {}
        if reported.get("completion_tokens") is not None:
            prompt = reported.get("prompt_tokens") or self._prompt_estimate
            return prompt, reported["completion_tokens"]
        arguments = "".join(call["function"]["arguments"] for call in self.tool_calls)
        return self._prompt_estimate, count_tokens(self.text + arguments)

    def _record(self, delta: Delta) -> Delta:
        if self._first_token_at is None and (delta.text or delta.tool_calls):
            self._first_token_at = time.monotonic()
        self.text += delta.text
        self._fragments.extend(delta.tool_calls)
        self.finish_reason = delta.finish_reason or self.finish_reason
        return delta

    def _end(self) -> None:
        if self._ended_at is None:
            self._ended_at = time.monotonic()
