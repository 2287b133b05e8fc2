"""Worker heartbeats, and failing runs whose worker died (bounded detection, any process)."""
from __future__ import annotations

import threading

import redis

HEARTBEAT_EVERY = 1.0
HEARTBEAT_TTL = 5
STARTED_TTL = 24 * 3600


def _hb_key(task_id: str) -> str:
    return f"workflow_heartbeat:{task_id}"


def _started_key(task_id: str) -> str:
    return f"workflow_started:{task_id}"


def _reaped_key(task_id: str) -> str:
    return f"workflow_reaped:{task_id}"


class Heartbeat:
    """Refreshes the run's heartbeat key every second while the worker runs it."""

    def __init__(self, client: redis.Redis, task_id: str):
        self._redis, self._task_id = client, task_id
        self._done = threading.Event()

    def __enter__(self) -> "Heartbeat":
        self._beat()
        self._redis.set(_started_key(self._task_id), 1, ex=STARTED_TTL)
        threading.Thread(target=self._loop, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()

    def _beat(self) -> None:
        self._redis.set(_hb_key(self._task_id), 1, ex=HEARTBEAT_TTL)

    def _loop(self) -> None:
        while not self._done.wait(HEARTBEAT_EVERY):
            self._beat()


def is_dead(client: redis.Redis, task_id: str) -> bool:
    """A run that started on a worker whose heartbeat has expired."""
    return bool(client.exists(_started_key(task_id))) and not client.exists(_hb_key(task_id))


def claim_reaping(client: redis.Redis, task_id: str) -> bool:
    """Exactly one process gets to record a dead run's failure."""
    return bool(client.set(_reaped_key(task_id), 1, nx=True, ex=STARTED_TTL))
