"""Redis keys that let any web process stop, resume and own a running task (spec §5.2)."""
from __future__ import annotations

import redis

OWNER_TTL = 1800
STOP_TTL = 600
ATTACH_TTL = 5


def _owner_key(task_id: str) -> str:
    return f"generate_task_belong:{task_id}"


def _stop_key(task_id: str) -> str:
    return f"generate_task_stopped:{task_id}"


def _attach_key(task_id: str) -> str:
    return f"generate_task_attached:{task_id}"


def register(client: redis.Redis, task_id: str, end_user_id: str) -> None:
    """Record who owns `task_id`."""
    client.set(_owner_key(task_id), f"end-user-{end_user_id}", ex=OWNER_TTL)


def is_owner(client: redis.Redis, task_id: str, end_user_id: str) -> bool:
    owner = client.get(_owner_key(task_id))
    return owner is not None and owner.decode() == f"end-user-{end_user_id}"


def request_stop(client: redis.Redis, task_id: str, end_user_id: str) -> bool:
    """Flag `task_id` as stopped when `end_user_id` owns it; another user's task is left alone."""
    if not is_owner(client, task_id, end_user_id):
        return False
    client.set(_stop_key(task_id), 1, ex=STOP_TTL)
    return True


def stop_requested(client: redis.Redis, task_id: str) -> bool:
    return bool(client.exists(_stop_key(task_id)))


def mark_attached(client: redis.Redis, task_id: str) -> None:
    """A resuming consumer is reading the task's events (refresh at least every ATTACH_TTL s)."""
    client.set(_attach_key(task_id), 1, ex=ATTACH_TTL)


def is_attached(client: redis.Redis, task_id: str) -> bool:
    return bool(client.exists(_attach_key(task_id)))


def release(client: redis.Redis, task_id: str) -> None:
    """Forget the stop flag once the task has ended (ownership is kept for resumes)."""
    client.delete(_stop_key(task_id))
