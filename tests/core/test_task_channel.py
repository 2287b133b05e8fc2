"""The replay log: concurrent flushes (supervisor tick + final flush) never leave a gap."""
import threading
import time

from api.extensions import get_redis
from core.task_channel import TaskChannel, replay


def test_concurrent_flushes_keep_every_event_in_order(app):
    with app.app_context():
        client = get_redis()
    channel = TaskChannel(client, "flush-race", retention_seconds=60)
    errors: list[BaseException] = []
    done = threading.Event()

    def flusher():
        while not done.is_set():
            try:
                channel.flush()
            except Exception as exc:  # noqa: BLE001 - collected and asserted on below
                errors.append(exc)

    threads = [threading.Thread(target=flusher) for _ in range(8)]
    for thread in threads:
        thread.start()
    for number in range(3000):
        channel.publish({"event": "message", "answer": str(number)})
        if number % 10 == 0:
            time.sleep(0.0005)  # many small batches, each flushed by whichever thread gets there
    channel.publish({"event": "message_end"})
    done.set()
    for thread in threads:
        thread.join(timeout=10)
    channel.flush(final=True)
    logged = [seq for seq, _ in (item for item in replay(client, "flush-race", 0, 10, time.monotonic() + 5) if item)]
    assert errors == []
    assert logged == list(range(1, 3002))
