"""A run's events: served live from memory, logged to a Redis Stream in batches for replay.

The producer (the run) calls `publish`; the local consumer (the SSE response) iterates `live`;
a flusher calls `flush` every ~50 ms, so Redis sees one pipeline per batch, never one round trip
per token. `replay` serves a consumer in any process from the Redis Stream.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any, Iterator

import redis

from core import shutdown
from core.sse import Event, event_json

TERMINAL_EVENTS = frozenset({"message_end", "error"})
# Appends a batch of events in one command (ARGV: maxlen, retention, a JSON array [seq, json, seq, json, ...]:
# one argument, so the client packs one string per batch, not two per event). Entries at or below the log's
# last seq are skipped: a batch re-sent after a lost reply leaves no duplicate and no gap.
_APPEND = """
local last = 0
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #top > 0 then last = tonumber(string.match(top[1][1], '-(%d+)$')) end
local batch = cjson.decode(ARGV[3])
for i = 1, #batch - 1, 2 do
  if batch[i] > last then redis.call('XADD', KEYS[1], '0-' .. batch[i], 'e', batch[i + 1]) end
end
if #batch > 0 then redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""
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
        # the live consumer's queue: a deque and an Event are much cheaper per token than queue.Queue's locks
        self._live: deque[tuple[int, dict[str, Any]]] = deque()
        self._ready = threading.Event()
        self._pending: list[tuple[int, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._append = client.register_script(_APPEND)
        self._seq = 0
        self.detached_at: float | None = None

    @property
    def client(self) -> redis.Redis:
        """The Redis client the channel writes with."""
        return self._redis

    def publish(self, event: dict[str, Any]) -> int:
        """Number `event`, hand it to the live consumer and queue it for the Redis log."""
        event = event if isinstance(event, Event) else Event(event)
        with self._lock:
            self._seq += 1
            self._pending.append((self._seq, event))
            seq = self._seq
        self._live.append((seq, event))
        self._ready.set()
        return seq

    def resume_numbering(self, at_least: int = 0) -> None:
        """Continue after the last event already in the Redis log (a second writer, e.g. a reaper), and after
        `at_least` (a seq a client saw that never reached the log)."""
        last = self._redis.xrevrange(stream_key(self.task_id), count=1)
        self._seq = max(_entry(*last[0])[0] if last else 0, at_least)

    def flush(self, final: bool = False) -> None:
        """Write pending events to the Redis Stream in one command; `final` also sets its TTL when none are.

        One flush of a channel at a time (the supervisor's and the run's last one may meet): a later batch
        never reaches the log before an earlier one, which the append script would then skip as a gap.
        """
        with self._writing:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch and not final:
                return
            entries: list[Any] = []
            for seq, event in batch:
                entries += (seq, event_json(event))
            try:
                self._append(keys=[stream_key(self.task_id)],
                             args=[self._maxlen, self._retention, json.dumps(entries, ensure_ascii=False)])
            except (redis.ConnectionError, redis.TimeoutError):
                with self._lock:  # keep the batch, in order, for the next flush (Redis restarting)
                    self._pending[:0] = batch
                raise

    def live(self, ping_interval: float) -> Iterator[tuple[int, dict[str, Any]] | None]:
        """Events as they are published; None after `ping_interval` s of silence; ends after a terminal one."""
        for batch in self.live_batches(ping_interval):
            yield from batch

    def live_batches(self, ping_interval: float) -> Iterator[list[tuple[int, dict[str, Any]] | None]]:
        """Like `live`, but each step takes every event already published (written to the client at once);
        [None] after `ping_interval` s of silence. One consumer only."""
        while True:
            batch = self._take(ping_interval)
            if not batch:
                yield [None]
                continue
            for end, (_, event) in enumerate(batch, start=1):
                if event.get("event") in TERMINAL_EVENTS:
                    yield batch[:end]
                    return
            yield batch

    def _take(self, timeout: float) -> list[tuple[int, dict[str, Any]]]:
        """Every queued event, waiting up to `timeout` s for one (empty: none came)."""
        if not self._live:
            self._ready.clear()
            if not self._live:  # checked again after clear(): a publish in between is never missed
                self._ready.wait(timeout)
        batch = []
        while self._live:
            batch.append(self._live.popleft())
        return batch

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
