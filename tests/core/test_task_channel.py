"""The run event channel on the real Redis: one encoding per event, batched log writes, no gap, no duplicate."""
from __future__ import annotations

import threading

import pytest

from api.extensions import get_redis
from core.sse import Event, frame
from core.task_channel import TaskChannel, logged_events

pytestmark = pytest.mark.embedded  # the append script runs on the embedded Redis too


@pytest.fixture
def channel(app):
    with app.app_context():
        yield TaskChannel(get_redis(), "task-1", retention_seconds=60)


def test_log_holds_every_event_in_order_after_batched_flushes(channel):
    sent = [{"event": "message", "answer": f"piece {n} «ü»\n\"q\""} for n in range(250)] + [{"event": "message_end"}]
    for index, event in enumerate(sent):
        channel.publish(event)
        if index % 37 == 0:
            channel.flush()
    channel.flush(final=True)
    assert logged_events(channel._redis, "task-1") == list(enumerate(sent, start=1))


def test_a_batch_sent_twice_leaves_no_duplicate_and_no_gap(channel):
    """A flush whose reply was lost is re-sent with the next batch: entries already logged are skipped."""
    first = [channel.publish({"event": "message", "answer": str(n)}) for n in range(3)]
    batch = list(channel._pending)
    channel.flush()
    channel._pending[:0] = batch  # what a ConnectionError after the write would leave queued
    channel.publish({"event": "message_end"})
    channel.flush(final=True)
    assert [seq for seq, _ in logged_events(channel._redis, "task-1")] == first + [4]


def test_live_batches_take_every_queued_event_and_stop_after_the_terminal_one(channel):
    for n in range(5):
        channel.publish({"event": "message", "answer": str(n)})
    channel.publish({"event": "error", "code": "x", "message": "m", "status": 400})
    channel.publish({"event": "message", "answer": "after the end"})
    batches = list(channel.live_batches(ping_interval=0.05))
    assert [[seq for seq, _ in batch] for batch in batches] == [[1, 2, 3, 4, 5, 6]]


def test_an_event_is_encoded_once_for_the_frame_and_the_log(channel):
    event = Event({"event": "message", "answer": "x"})
    channel.publish(event)
    event.json = '{"event":"message","answer":"cached"}'  # proves the log and the frame reuse the encoding
    channel.flush(final=True)
    assert logged_events(channel._redis, "task-1")[0][1]["answer"] == "cached"
    assert frame(event, "task-1:1") == 'id: task-1:1\ndata: {"event":"message","answer":"cached"}\n\n'


def test_flushes_of_one_channel_never_overtake_each_other(channel):
    """The supervisor's flush and the run's last one, at the same moment: every event lands, in order."""
    for n in range(200):
        channel.publish({"event": "message", "answer": str(n)})
    flushers = [threading.Thread(target=channel.flush, kwargs={"final": n % 2 == 1}) for n in range(8)]
    for index, flusher in enumerate(flushers):
        flusher.start()
        channel.publish({"event": "message", "answer": f"late {index}"})
    for flusher in flushers:
        flusher.join(5)
    channel.flush(final=True)
    assert [seq for seq, _ in logged_events(channel._redis, "task-1")] == list(range(1, 209))
