"""Executing one completion or chat run and supervising it (stop, disconnect grace, time limit)."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

import redis

from core.llm import ChatStream, Delta, LLMError, ProviderSettings, stream_chat
from core.task_channel import TaskChannel
from core.text import clean_text
from services.generation import agent, cache, live_runs, persist, rate_limit, task_registry
from services.generation.events import Envelope

log = logging.getLogger(__name__)
STOP_MESSAGES = {"user": "Stopped by user.", "disconnect": "Stopped: the client disconnected.",
                 "timeout": "Stopped: the maximum execution time was reached.",
                 "shutdown": "Stopped: the server was shutting down."}
INTERNAL_ERROR = "Internal Server Error, please contact support."
TICK = 0.05
CHECK_EVERY = 4  # ticks between stop-flag and disconnect checks
BEAT_EVERY = 20  # ticks between liveness heartbeats (well within task_registry.ALIVE_TTL)
WRAP_UP_RETRY_DELAYS = (0.2, 0.4, 0.8, 1.6, 3.2)  # the last flush gives up after ~6 s of failing Redis


@dataclass
class RunSpec:
    """Everything a run needs, as plain data and ids (it crosses a greenlet boundary)."""

    envelope: Envelope
    app_id: str
    end_user_id: str
    messages: list[dict[str, Any]]
    settings: ProviderSettings
    new_conversation: bool
    cache_key: str | None = None
    cached: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    tools: agent.AgentTools | None = None
    mcp_config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunLimits:
    grace_seconds: float
    max_seconds: float
    cache_ttl: int


class GenerationRun:
    """Streams the model's answer into a channel and records the outcome."""

    def __init__(self, spec: RunSpec, channel: TaskChannel, client: redis.Redis, limits: RunLimits):
        self.spec, self.channel, self.redis, self.limits = spec, channel, client, limits
        self.stop_reason: str | None = None
        self.finished = threading.Event()  # the outcome is saved and the terminal event published
        self.closed = threading.Event()  # ... and the log is written and the Redis state freed (or given up)
        self.released = False
        self._stream: ChatStream | None = None
        self._chunks: list[str] = []

    def stop(self, reason: str) -> None:
        """Ask the run to end now; closing the stream also unblocks a silent upstream."""
        if self.stop_reason is None:
            self.stop_reason = reason
            if self._stream is not None:
                self._stream.close()

    def execute(self) -> None:
        """Run to the end; must be called inside an app context."""
        error: LLMError | None = None
        usage: dict[str, Any] = {}
        try:
            usage = self._generate()
        except LLMError as exc:
            error = None if self.stop_reason else exc
        except Exception:  # noqa: BLE001 - reported in-band, never a cut stream
            log.exception("run %s failed", self.spec.envelope.task_id)
            error = None if self.stop_reason else LLMError(INTERNAL_ERROR, code="internal_server_error")
        finally:
            if self._stream is not None:
                usage = usage or self._stream.usage.to_dict()
                self._stream.close()
            self._finish(error, usage)

    def _generate(self) -> dict[str, Any]:
        if self.spec.cached is not None:
            for text in self.spec.cached["chunks"]:
                self._emit(text)
            return dict(self.spec.cached["usage"])
        if self.spec.tools and self.spec.tools.functions:
            return self._agent_loop()
        self._stream = stream_chat(self.spec.settings, self.spec.messages)
        if self.stop_reason:
            self._stream.close()
        for delta in self._deltas(self._stream):
            self._emit(delta.text)
        return self._stream.usage.to_dict()

    def _agent_loop(self) -> dict[str, Any]:
        """Model turns with the app's MCP tools, bounded by agent.MAX_ITERATIONS."""
        messages, total = list(self.spec.messages), {"prompt_tokens": 0, "completion_tokens": 0}
        for position in range(1, agent.MAX_ITERATIONS + 1):
            self._stream = stream_chat(self.spec.settings, messages, tools=self.spec.tools.functions)
            start = len(self._chunks)
            for delta in self._deltas(self._stream):
                self._emit(delta.text)
            usage = self._stream.usage.to_dict()
            for key in total:
                total[key] += int(usage.get(key) or 0)
            calls = self._stream.tool_calls
            if not calls or self.stop_reason:
                return {**usage, **total, "total_tokens": sum(total.values())}
            text = "".join(self._chunks[start:])
            tool_messages, thoughts = agent.run_tool_calls(calls, self.spec.tools, self.spec.mcp_config, position,
                                                           self._emit_thought, text)
            self.spec.metadata.setdefault("agent_thoughts", []).extend(thoughts)
            messages += [self._stream.result().as_message(), *tool_messages]
        return {**usage, **total, "total_tokens": sum(total.values())}

    def _emit_thought(self, current: dict[str, Any]) -> None:
        self.channel.publish(self.spec.envelope.agent_thought(current))

    def _deltas(self, stream: ChatStream) -> Iterator[Delta]:
        for delta in stream:
            if self.stop_reason:
                return
            if delta.text:
                yield delta

    def _emit(self, text: str) -> None:
        text = clean_text(text)  # the answer is stored: PostgreSQL refuses NUL, UTF-8 lone surrogates
        self._chunks.append(text)
        self.channel.publish(self.spec.envelope.message(text))

    def _finish(self, error: LLMError | None, usage: dict[str, Any]) -> None:
        """Save the outcome, publish the terminal event, try once to write the log and free the Redis state
        (on failure the supervisor retries, bounded)."""
        answer = "".join(self._chunks)
        try:
            if error is not None:
                self._finish_failed(error, answer, usage)
            else:
                self._finish_ok(answer, usage)
        except Exception:  # noqa: BLE001 - the stream must still end with a terminal event
            log.exception("run %s: saving its outcome failed", self.spec.envelope.task_id)
            self.channel.publish(self.spec.envelope.error("internal_server_error", INTERNAL_ERROR, 500))
        finally:
            try:
                self.release()
            except redis.RedisError:
                log.warning("run %s: Redis error at the end; retrying", self.spec.envelope.task_id)
            self.finished.set()

    def release(self) -> None:
        """Write the remaining events, free the rate-limit slot and the task keys. Raises redis.RedisError."""
        task_id = self.spec.envelope.task_id
        self.channel.flush(final=True)
        rate_limit.leave(self.redis, self.spec.app_id, task_id)
        task_registry.release(self.redis, task_id)
        self.released = True

    def _finish_failed(self, error: LLMError, answer: str, usage: dict[str, Any]) -> None:
        env = self.spec.envelope
        if answer:
            persist.save_outcome(env.message_id, answer, "error", error.message, usage, self.spec.metadata)
        else:
            persist.discard(env.message_id, env.conversation_id, self.spec.new_conversation)
        self.channel.publish(env.error(error.code, error.message, 400))

    def _finish_ok(self, answer: str, usage: dict[str, Any]) -> None:
        spec = self.spec
        metadata = {**spec.metadata, "annotation_reply": None, "retriever_resources": []}
        status, error = "normal", None
        if self.stop_reason:
            status, error = "stopped", STOP_MESSAGES[self.stop_reason]
            metadata["stopped_by"] = self.stop_reason
        if spec.cached is not None:
            metadata["cached"] = True
        persist.save_outcome(spec.envelope.message_id, answer, status, error, usage, metadata)
        if spec.cache_key and spec.cached is None and status == "normal":
            self._store_in_cache(usage)
        self.channel.publish(spec.envelope.message_end({**metadata, "usage": usage}))

    def _store_in_cache(self, usage: dict[str, Any]) -> None:
        try:
            cache.store(self.redis, self.spec.cache_key, self._chunks, usage, self.limits.cache_ttl)
        except redis.RedisError:  # a cache miss next time, not a failed run
            log.warning("run %s: could not cache the answer", self.spec.envelope.task_id, exc_info=True)


def supervise(run: GenerationRun, tick: float = TICK) -> None:
    """Watch `run` until it finished, then write its last events and free its Redis state (bounded).

    Every `tick`: flush the event log; check the time limit; every CHECK_EVERY ticks the stop flag
    and the disconnect grace; every BEAT_EVERY ticks refresh the run's heartbeat. A Redis outage
    keeps the events in memory (retried in order) and never ends the run or this loop early.
    """
    try:
        _watch(run, tick)
        if not run.released:
            _wrap_up(run)
    finally:
        live_runs.discard(run)
        run.closed.set()


def _watch(run: GenerationRun, tick: float) -> None:
    started, ticks, redis_ok = time.monotonic(), 0, True
    task_id = run.spec.envelope.task_id
    while not run.finished.wait(tick):
        ticks += 1
        if time.monotonic() - started > run.limits.max_seconds:
            run.stop("timeout")  # checked without Redis, so it holds while Redis is down
        try:
            _redis_tick(run, task_id, ticks, beat=not redis_ok or ticks % BEAT_EVERY == 0)
        except redis.RedisError as exc:
            if redis_ok:
                log.warning("run %s: Redis error, events kept in memory and retried: %s", task_id, exc)
            redis_ok = False
            if _detached_past_grace(run):  # nobody can resume while Redis is down
                run.stop("disconnect")
            continue
        if not redis_ok:
            log.warning("run %s: Redis answers again", task_id)
        redis_ok = True


def _redis_tick(run: GenerationRun, task_id: str, ticks: int, beat: bool) -> None:
    """One supervision step that needs Redis; `beat` also refreshes the heartbeat (at once after an outage,
    which may have let it expire)."""
    run.channel.flush()
    if beat:
        task_registry.beat(run.redis, task_id)
    if ticks % CHECK_EVERY or run.stop_reason:
        return
    if task_registry.stop_requested(run.redis, task_id):
        run.stop("user")
    elif _detached_past_grace(run) and not task_registry.is_attached(run.redis, task_id):
        run.stop("disconnect")


def _detached_past_grace(run: GenerationRun) -> bool:
    detached = run.channel.detached_at
    return detached is not None and time.monotonic() - detached >= run.limits.grace_seconds


def _wrap_up(run: GenerationRun) -> None:
    """`run.release()`, retried while Redis fails; gives up (with a log line) after a few tries."""
    task_id = run.spec.envelope.task_id
    for delay in (*WRAP_UP_RETRY_DELAYS, None):
        try:
            run.release()
            return
        except redis.RedisError:
            if delay is None:
                break
            time.sleep(delay)
    log.error("run %s: Redis unreachable; gave up writing its last events to the replay log after %d attempts "
              "(the answer is saved; resumes end from the stored message)", task_id, len(WRAP_UP_RETRY_DELAYS) + 1)
