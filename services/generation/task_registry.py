"""Redis keys that let any web process stop, resume and own a running task (spec §5.2)."""
from __future__ import annotations

import redis

OWNER_TTL = 1800
STOP_TTL = 600
ATTACH_TTL = 5
ALIVE_TTL = 5  # the producing process refreshes it every second (services.generation.run.supervise)
ORPHAN_CLAIM_TTL = 30


def _owner_key(task_id: str) -> str:
    return f"generate_task_belong:{task_id}"


def _stop_key(task_id: str) -> str:
    return f"generate_task_stopped:{task_id}"


def _attach_key(task_id: str) -> str:
    return f"generate_task_attached:{task_id}"


def _alive_key(task_id: str) -> str:
    return f"generate_task_alive:{task_id}"


def _orphan_key(task_id: str) -> str:
    return f"generate_task_orphan:{task_id}"


def register(client: redis.Redis, task_id: str, end_user_id: str) -> None:
    """Record who owns `task_id`, and that its producer is alive."""
    pipe = client.pipeline(transaction=False)
    pipe.set(_owner_key(task_id), f"end-user-{end_user_id}", ex=OWNER_TTL)
    pipe.set(_alive_key(task_id), 1, ex=ALIVE_TTL)
    pipe.execute()


def beat(client: redis.Redis, task_id: str) -> None:
    """The producer of `task_id` is still running it (call at least every ALIVE_TTL / 2 s)."""
    client.set(_alive_key(task_id), 1, ex=ALIVE_TTL)


def is_alive(client: redis.Redis, task_id: str) -> bool:
    """Whether the process producing `task_id` still runs it (False once it ended or died)."""
    return bool(client.exists(_alive_key(task_id)))


def claim_orphan(client: redis.Redis, task_id: str) -> bool:
    """Exactly one process (for ORPHAN_CLAIM_TTL s) gets to end a run whose producer is gone."""
    return bool(client.set(_orphan_key(task_id), 1, nx=True, ex=ORPHAN_CLAIM_TTL))


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
    """Forget the stop flag and liveness once the task has ended (ownership is kept for resumes)."""
    client.delete(_stop_key(task_id), _alive_key(task_id))
