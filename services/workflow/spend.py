"""What a running workflow has spent so far, kept in Redis so a run failed without its worker reports it.

Node rows are written only when a run ends, and the web's node_finished events carry no tokens, so the
worker adds each finished node's tokens and step to a small hash (``workflow_spend:<task_id>``); the
process that fails a lost run reads it. Elapsed time is measured from the run's creation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from core.task_channel import TaskChannel
from models import WorkflowRun, utcnow


@dataclass(frozen=True)
class Spent:
    """Elapsed seconds, model tokens and node steps of a run that ended without the engine's result."""

    elapsed_time: float = 0.0
    total_tokens: int = 0
    total_steps: int = 0


def _key(task_id: str) -> str:
    return f"workflow_spend:{task_id}"


@dataclass(frozen=True)
class Tally:
    """The worker's side: counts each finished node of the task `channel` carries."""

    channel: TaskChannel
    retention: int

    def add(self, node_finished: dict[str, Any]) -> None:
        """Add one finished node (an engine node_finished body) to the run's tally."""
        tokens = int(((node_finished.get("execution_metadata") or {}).get("total_tokens")) or 0)
        key = _key(self.channel.task_id)
        pipe = self.channel.client.pipeline(transaction=False)
        pipe.hincrby(key, "tokens", tokens)
        pipe.hincrby(key, "steps", 1)
        pipe.expire(key, self.retention)
        pipe.execute()


def spent(client: redis.Redis, run: WorkflowRun) -> Spent:
    """What `run` spent up to now; the tally counts as empty when Redis cannot be read."""
    try:
        tally = client.hgetall(_key(run.task_id))
    except redis.RedisError:
        tally = {}
    tally = {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in tally.items()}
    elapsed = max((utcnow() - run.created_at).total_seconds(), 0.0)
    return Spent(elapsed, tally.get("tokens", 0), tally.get("steps", 0))
