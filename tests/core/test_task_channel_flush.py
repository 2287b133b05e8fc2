"""TaskChannel.flush from several threads at once (the flusher and the run itself both flush)."""
from __future__ import annotations

import threading

from core.task_channel import TaskChannel, logged_events


def test_concurrent_flushes_log_every_event_once_and_in_order(app):
    client = app.extensions["redis"]
    channel = TaskChannel(client, "concurrent-flushes", retention_seconds=60)
    errors: list[BaseException] = []

    def publish_and_flush(worker: int) -> None:
        try:
            for n in range(150):
                channel.publish({"event": "node", "worker": worker, "n": n})
                channel.flush()
        except BaseException as exc:  # noqa: B902 - handed to the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=publish_and_flush, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    channel.flush(final=True)
    assert errors == []
    seqs = [seq for seq, _ in logged_events(client, "concurrent-flushes")]
    assert seqs == list(range(1, 601))
