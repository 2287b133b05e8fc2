"""Consuming a run's events: the live SSE body, blocking collection, and resume from the log."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterator

import redis
from flask import Flask, current_app

from core.task_channel import TaskChannel, has_events, replay
from services.errors import NotFound, RunFailed
from services.generation import orphans, task_registry
from services.generation.events import Envelope

Item = tuple[int, dict[str, Any]] | None


def first_batch(batches: Iterator[list[Item]]) -> list[Item]:
    """Wait up to one ping interval for the run's first events ([None]: still silent, start with a ping).

    Raises RunFailed when the run failed before any output, so the caller can answer with a JSON
    error instead of a stream.
    """
    batch = next(batches, [None])
    item = batch[0]
    if item is not None and item[1]["event"] == "error":
        raise RunFailed(item[1]["code"], item[1]["message"], item[1]["status"])
    return batch


def collect_blocking(channel: TaskChannel, envelope: Envelope, ping_interval: float) -> dict[str, Any]:
    """Run to the end and return the blocking response (simple metadata, spec §4)."""
    return blocking_answer(channel.live(ping_interval), envelope)


def blocking_answer(events: Iterator[Item], envelope: Envelope) -> dict[str, Any]:
    """The blocking body of a chat or completion message from its events. Raises RunFailed on `error`."""
    answer: list[str] = []
    for item in events:
        if item is None:
            continue
        event = item[1]
        if event["event"] in ("message", "agent_message"):
            answer.append(event["answer"])
        elif event["event"] == "error":
            raise RunFailed(event["code"], event["message"], event["status"])
        elif event["event"] == "message_end":
            metadata = {"retriever_resources": event["metadata"].get("retriever_resources", [])}
            if event["metadata"].get("cached"):
                metadata["cached"] = True
            return envelope.blocking("".join(answer), metadata)
    raise RunFailed("internal_server_error", "The run ended without an answer.", 500)


def parse_last_event_id(value: str | None) -> int:
    """`<task_id>:<seq>` or `<seq>` → seq (0 when absent or malformed)."""
    tail = (value or "").rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def require_replayable(client: redis.Redis, task_id: str, end_user_id: str) -> None:
    """Raise NotFound unless `end_user_id` owns `task_id` and its event log still exists."""
    if not task_registry.is_owner(client, task_id, end_user_id) or not has_events(client, task_id):
        raise NotFound("Task not found or its events have expired.")


def resume(client: redis.Redis, task_id: str, end_user_id: str, after_seq: int, ping_interval: float,
           retention: int) -> Iterator[Item]:
    """Replay the caller's task from `after_seq` and follow it live. Raises NotFound for others' tasks.

    A run whose producer is gone (no heartbeat) is ended from the stored message, so the stream
    always reaches a terminal event. Call inside an app context; the generator carries the app along.
    """
    require_replayable(client, task_id, end_user_id)
    task_registry.mark_attached(client, task_id)
    deadline = time.monotonic() + retention
    block_ms = int(min(ping_interval, task_registry.ATTACH_TTL / 2) * 1000)
    follower = Follower(current_app._get_current_object(), client, task_id, retention)
    return follower.attached(replay(client, task_id, after_seq, block_ms, deadline), after_seq, ping_interval)


@dataclass(frozen=True)
class Follower:
    flask_app: Flask
    client: redis.Redis
    task_id: str
    retention: int

    def attached(self, events: Iterator[Item], position: int, ping_interval: float) -> Iterator[Item]:
        """`events` while keeping the task marked attached; pings on silence; ends an orphaned run."""
        quiet_since = time.monotonic()
        for item in events:
            task_registry.mark_attached(self.client, self.task_id)
            if item is not None:
                quiet_since, position = time.monotonic(), item[0]
                yield item
                continue
            terminal = self._orphan_end(position)
            if terminal is not None and terminal[0] <= position:
                if terminal[0] < position:  # this client saw live events that never reached the log
                    yield terminal
                return
            if time.monotonic() - quiet_since >= ping_interval:
                quiet_since = time.monotonic()
                yield None

    def _orphan_end(self, position: int) -> Item:
        """The terminal entry of a run whose producer is gone (written if missing); None while it lives."""
        if task_registry.is_alive(self.client, self.task_id):
            return None
        with self.flask_app.app_context():
            return orphans.end_orphan(self.client, self.task_id, self.retention, position)
