"""Worker heartbeats, read by any process to tell a live run from one whose worker is gone."""
from __future__ import annotations

import logging
import threading
import time

import redis

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 1.0
HEARTBEAT_TTL = 5
STARTED_TTL = 24 * 3600
# a run with no heartbeat and no queued job is failed only when that is still so this long after it was
# first seen: covers the moment between commit and enqueue, a worker building its app before its first
# beat, and the second after a Redis restart before the worker's next beat
SUSPECT_GRACE = 3.0
SUSPECT_TTL = 300


def _hb_key(task_id: str) -> str:
    return f"workflow_heartbeat:{task_id}"


def _started_key(task_id: str) -> str:
    return f"workflow_started:{task_id}"


def _suspect_key(task_id: str) -> str:
    return f"workflow_suspect:{task_id}"


class Heartbeat:
    """Refreshes the run's heartbeat key every second while the worker runs it.

    Each beat also re-sets the "started" mark, so both come back within a second of a Redis restart.
    A Redis error skips a beat; it never stops the loop.
    """

    def __init__(self, client: redis.Redis, task_id: str):
        self._redis, self._task_id = client, task_id
        self._done = threading.Event()

    def __enter__(self) -> "Heartbeat":
        self._beat()
        threading.Thread(target=self._loop, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()

    def _beat(self) -> None:
        beat_once(self._redis, self._task_id)

    def _loop(self) -> None:
        while not self._done.wait(HEARTBEAT_EVERY):
            self._beat()


def beat_once(client: redis.Redis, task_id: str) -> None:
    """Mark the run started and alive for HEARTBEAT_TTL seconds; a Redis error only skips the beat."""
    try:
        pipe = client.pipeline(transaction=False)
        pipe.set(_hb_key(task_id), 1, ex=HEARTBEAT_TTL)
        pipe.set(_started_key(task_id), 1, ex=STARTED_TTL)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("heartbeat of %s skipped: %s", task_id, exc)


def forget(client: redis.Redis, task_id: str) -> None:
    """Drop the run's heartbeat and started marks (its job ended in this process, with an exception)."""
    try:
        client.delete(_hb_key(task_id), _started_key(task_id))
    except redis.RedisError as exc:
        log.warning("heartbeat of %s not cleared: %s", task_id, exc)


def is_alive(client: redis.Redis, task_id: str) -> bool:
    """A worker beat for this run within the last HEARTBEAT_TTL seconds."""
    return bool(client.exists(_hb_key(task_id)))


def has_started(client: redis.Redis, task_id: str) -> bool:
    """A worker took this run at some point (its heartbeat may have expired since)."""
    return bool(client.exists(_started_key(task_id)))


def suspect_long_enough(client: redis.Redis, task_id: str) -> bool:
    """Record that the run looks lost; True once it has looked lost for SUSPECT_GRACE seconds.

    A run that recovers (its worker beats) is never suspected again unless Redis restarts, which also
    wipes the mark; the mark's TTL only keeps Redis tidy.
    """
    now = time.time()
    key = _suspect_key(task_id)
    if client.set(key, now, nx=True, ex=SUSPECT_TTL):
        return False
    first = client.get(key)
    return first is not None and now - float(first) >= SUSPECT_GRACE
