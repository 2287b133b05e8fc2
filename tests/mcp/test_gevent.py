"""The client is cooperative under gevent's monkey-patching (no gevent import in core.mcp)."""
from __future__ import annotations

import subprocess
import sys

from tests.mcp.servers import REPO_ROOT


def test_parallel_calls_overlap_under_gevent(stateful_url, legacy_sse_url):
    command = [sys.executable, "-m", "tests.mcp.gevent_probe", stateful_url, legacy_sse_url]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.split()
    assert lines.count("OK") == 2
    for seconds in lines[2::3]:
        assert float(seconds) < 1.2  # five 0.3 s calls in parallel, not 1.5 s one after another
