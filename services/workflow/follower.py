"""Following one workflow run for one client: events from the Redis log, always ended by a terminal event.

While the log is silent the follower inspects its run every second: a lost run is failed (the failure
lands in the log like any event), a run still waiting for a worker is announced with `workflow_queued`,
and a run that ended in the database without its terminal event reaching the log (Redis restarted)
gets that event made from the stored run. Redis errors are retried for up to RECONNECT_SECONDS; after
that the stream ends with an `error` event instead of being cut.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Iterator

import redis
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from api.extensions import db
from core.task_channel import TERMINAL_EVENTS, WORKFLOW_TERMINAL_EVENTS, replay
from models import App, WorkflowRun, to_timestamp
from services.workflow import liveness, sweeper
from services.workflow.events import envelope_for
from services.workflow.executor import created_by, fail_run

log = logging.getLogger(__name__)

Item = tuple[int, dict[str, Any]] | None
CHECK_EVERY = 1.0
FINISHED_GRACE = 2.0  # a finished run's own terminal event reaches the log within ~50 ms
RECONNECT_SECONDS = 30.0
RECONNECT_PAUSE = 0.5
STREAM_LOST = ("Lost the connection to the run's event log for {seconds:g} s. The run goes on; its outcome "
               "is kept: fetch it with GET /api/workflow/{task_id}/events.")


@dataclass(frozen=True)
class Watch:
    """What to follow: the run's task, the last event the client has, and the stream's timings."""

    task_id: str
    after_seq: int
    ping_interval: float
    retention: int
    chat: bool = False


def outcome_events(run: WorkflowRun, after_seq: int) -> list[tuple[int, dict[str, Any]]]:
    """The terminal events of a run that ended, made from its stored row (its log is gone)."""
    envelope = envelope_for(run, db.session.get(App, run.app_id))
    events = envelope.terminal(run, created_by(run), to_timestamp(run.created_at))
    return [(after_seq + number, event) for number, event in enumerate(events, 1)]


class Follower:
    """One client's view of one run; iterate `events()` (None items are pings)."""

    def __init__(self, flask_app: Flask, client: redis.Redis, watch: Watch):
        self.app, self.client, self.watch = flask_app, client, watch
        self.terminal = TERMINAL_EVENTS if watch.chat else WORKFLOW_TERMINAL_EVENTS
        self.seq, self.done = watch.after_seq, False
        self.quiet_since = self.next_check = time.monotonic()
        self.broken_since: float | None = None
        self.finished_seen_at: float | None = None
        self.notice: tuple[int | None, float] | None = None

    def events(self) -> Iterator[Item]:
        deadline = time.monotonic() + self.watch.retention
        block_ms = int(min(self.watch.ping_interval, CHECK_EVERY) * 1000)
        while not self.done and time.monotonic() < deadline:
            try:
                for item in replay(self.client, self.watch.task_id, self.seq, block_ms, deadline, self.terminal):
                    self.broken_since = None
                    yield from (self._deliver(item) if item is not None else self._idle(use_redis=True))
                    if self.done:
                        return
                return
            except redis.RedisError as exc:
                yield from self._broken(exc)

    def _deliver(self, item: tuple[int, dict[str, Any]]) -> Iterator[Item]:
        self.seq, self.quiet_since = item[0], time.monotonic()
        self.done = item[1].get("event") in self.terminal
        yield item

    def _idle(self, use_redis: bool) -> Iterator[Item]:
        now = time.monotonic()
        if now >= self.next_check:
            self.next_check = now + CHECK_EVERY
            yield from self._check(use_redis)
        if not self.done and time.monotonic() - self.quiet_since >= self.watch.ping_interval:
            self.quiet_since = time.monotonic()
            yield None

    def _broken(self, exc: redis.RedisError) -> Iterator[Item]:
        """Redis failed: retry after a pause; the database can still end the stream; give up after a bound."""
        now = time.monotonic()
        if self.broken_since is None:
            self.broken_since = now
            log.warning("following %s: Redis failed (%s); reconnecting", self.watch.task_id, exc)
        if now - self.broken_since > RECONNECT_SECONDS:
            self.done = True
            yield self.seq, self._lost_stream_event()
            return
        time.sleep(RECONNECT_PAUSE)
        yield from self._idle(use_redis=False)

    def _check(self, use_redis: bool) -> list[Item]:
        if use_redis and liveness.is_alive(self.client, self.watch.task_id):
            return []  # a worker beats for it: one EXISTS a second, no database query, for most followers
        try:
            with self.app.app_context():
                run = db.session.execute(db.select(WorkflowRun).filter_by(task_id=self.watch.task_id)).scalar()
                if run is None:
                    return []
                if run.status != "running":
                    return self._stored_outcome(run)
                return self._inspect(run) if use_redis else []
        except SQLAlchemyError as exc:  # the database is away: check again next second
            log.warning("following %s: database check failed: %s", self.watch.task_id, exc)
            return []

    def _stored_outcome(self, run: WorkflowRun) -> list[Item]:
        now = time.monotonic()
        self.finished_seen_at = self.finished_seen_at or now
        if now - self.finished_seen_at < FINISHED_GRACE:
            return []
        self.done = True
        return list(outcome_events(run, self.seq))

    def _inspect(self, run: WorkflowRun) -> list[Item]:
        config = self.app.config
        verdict = sweeper.inspect(self.client, run, float(config["WORKFLOW_QUEUE_TIMEOUT"]))
        if verdict.lost:
            fail_run(self.client, run.id, verdict.lost, int(config["STREAM_RETENTION_SECONDS"]))
            return []
        if not verdict.queued:
            return []
        now = time.monotonic()
        if self.notice and self.notice[0] == verdict.position and now - self.notice[1] < self.watch.ping_interval:
            return []
        self.notice, self.quiet_since = (verdict.position, now), now
        event = envelope_for(run, db.session.get(App, run.app_id)).queued(verdict.position, config["WORKFLOW_QUEUE"])
        return [(self.seq, event)]

    def _lost_stream_event(self) -> dict[str, Any]:
        message = STREAM_LOST.format(seconds=RECONNECT_SECONDS, task_id=self.watch.task_id)
        return {"event": "error", "task_id": self.watch.task_id, "code": "event_stream_lost", "status": 400,
                "message": message}
