"""A run's events: served live from memory, logged to a Redis Stream in batches for replay.

The producer (the run) calls `publish`; the local consumer (the SSE response) iterates `live`;
a flusher calls `flush` every ~50 ms, so Redis sees one pipeline per batch, never one round trip
per token. `replay` serves a consumer in any process from the Redis Stream.
"""
from __future__ import annotations

import json
import queue
import threading
import time
from typing import Any, Iterator

import redis

from core import shutdown

TERMINAL_EVENTS = frozenset({"message_end", "error"})
WORKFLOW_TERMINAL_EVENTS = frozenset({"workflow_finished"})


def stream_key(task_id: str) -> str:
    return f"task_events:{task_id}"


def is_terminal(event: dict[str, Any] | None) -> bool:
    """Whether `event` ends a run's stream (chat, completion or workflow)."""
    return event is not None and event.get("event") in TERMINAL_EVENTS | WORKFLOW_TERMINAL_EVENTS


class TaskChannel:
    """Events of one task, numbered from 1; `seq` doubles as the SSE id suffix."""

    def __init__(self, client: redis.Redis, task_id: str, retention_seconds: int, maxlen: int = 10000):
        self.task_id = task_id
        self._redis = client
        self._retention = retention_seconds
        self._maxlen = maxlen
        self._live: queue.Queue = queue.Queue()
        self._pending: list[tuple[int, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flush at a time: batches reach the log in order
        self._seq = 0
        self.detached_at: float | None = None

    def publish(self, event: dict[str, Any]) -> int:
        """Number `event`, hand it to the live consumer and queue it for the Redis log."""
        with self._lock:
            self._seq += 1
            self._pending.append((self._seq, event))
            seq = self._seq
        self._live.put((seq, event))
        return seq

    def resume_numbering(self, at_least: int = 0) -> None:
        """Continue after the last event already in the Redis log (a second writer, e.g. a reaper), and after
        `at_least` (a seq a client saw that never reached the log)."""
        last = self._redis.xrevrange(stream_key(self.task_id), count=1)
        self._seq = max(_entry(*last[0])[0] if last else 0, at_least)

    def flush(self, final: bool = False) -> None:
        """Write pending events to the Redis Stream in one pipeline; `final` also sets its TTL.

        Safe to call from several threads (the flusher, the run itself)."""
        with self._flushing:
            self._flush(final)

    def _flush(self, final: bool) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch and not final:
            return
        key = stream_key(self.task_id)
        pipe = self._redis.pipeline(transaction=False)
        for seq, event in batch:
            pipe.xadd(key, {"e": json.dumps(event, ensure_ascii=False)}, id=f"0-{seq}",
                      maxlen=self._maxlen, approximate=True)
        pipe.expire(key, self._retention)
        try:
            pipe.execute()
        except (redis.ConnectionError, redis.TimeoutError):
            with self._lock:  # keep the batch, in order, for the next flush (Redis restarting)
                self._pending[:0] = batch
            raise

    def live(self, ping_interval: float) -> Iterator[tuple[int, dict[str, Any]] | None]:
        """Events as they are published; None after `ping_interval` s of silence; ends after a terminal one."""
        while True:
            try:
                seq, event = self._live.get(timeout=ping_interval)
            except queue.Empty:
                yield None
                continue
            yield seq, event
            if event.get("event") in TERMINAL_EVENTS:
                return

    def detach(self) -> None:
        """The live consumer went away (client disconnect)."""
        if self.detached_at is None:
            self.detached_at = time.monotonic()


def replay(client: redis.Redis, task_id: str, after_seq: int, block_ms: int, deadline: float,
           terminal: frozenset[str] = TERMINAL_EVENTS) -> Iterator[tuple[int, dict[str, Any]] | None]:
    """Events after `after_seq` from the Redis Stream, then live ones as they land.

    Yields None when a blocking read returns nothing (time for a ping); stops after a terminal
    event, when `deadline` (monotonic) passes, or once this process is shutting down.
    """
    key, last = stream_key(task_id), f"0-{after_seq}"
    while time.monotonic() < deadline and not shutdown.is_draining():
        answer = client.xread({key: last}, block=block_ms, count=200)
        if not answer:
            yield None
            continue
        for entry_id, fields in answer[0][1]:
            seq, event = _entry(entry_id, fields)
            last = f"0-{seq}"
            yield seq, event
            if event.get("event") in terminal:
                return


def has_events(client: redis.Redis, task_id: str) -> bool:
    """Whether a replay log exists for `task_id`."""
    return bool(client.exists(stream_key(task_id)))


def logged_events(client: redis.Redis, task_id: str, limit: int = 10000) -> list[tuple[int, dict[str, Any]]]:
    """(seq, event) of every event in `task_id`'s log, oldest first (at most `limit`)."""
    return [_entry(entry_id, fields) for entry_id, fields in client.xrange(stream_key(task_id), count=limit)]


def _entry(entry_id: bytes | str, fields: dict) -> tuple[int, dict[str, Any]]:
    entry = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return int(entry.split("-")[1]), json.loads(fields[b"e"] if b"e" in fields else fields["e"])
