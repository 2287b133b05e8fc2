"""Code cannot start processes, outlive its run, signal host processes or run as a host-level root."""
import os
import subprocess
import sys
import threading
import time

import pytest

from api.config import REPO_ROOT
from core.workflow import Limits
from core.workflow.sandbox import SandboxCancelled, SandboxError, run_code
from tests.sandbox.support import (
    NOBODY,
    alive,
    children_of,
    host_uid,
    program,
    runner_started,
    sandbox_processes,
    sandboxed,
)

STARTERS = {
    "os.fork": "import os\ndef start():\n    os.fork()\n",
    "posix.fork": "import posix\ndef start():\n    posix.fork()\n",
    "subprocess": "import subprocess\ndef start():\n    subprocess.Popen(['sleep', '30'])\n",
    "posix_spawn": "import os\ndef start():\n    os.posix_spawn('/usr/bin/sleep', ['sleep', '30'], {})\n",
    "os.system": """
        import os
        def start():
            if os.system('sleep 30 &') != 0:
                raise PermissionError('system failed')
        """,
    "ctypes fork": """
        import ctypes
        def start():
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.syscall(57) < 0:
                raise OSError(ctypes.get_errno(), 'fork')
        """,
    "ctypes clone": """
        import ctypes, signal
        def start():
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.syscall(56, int(signal.SIGCHLD), 0, 0, 0, 0) < 0:
                raise OSError(ctypes.get_errno(), 'clone')
        """,
}
REFUSED = """
    def main():
        try:
            start()
        except OSError as e:
            return {'refused': e.errno or 1}
        return {'refused': 0}
    """


@pytest.mark.parametrize("way", sorted(STARTERS))
def test_processes_cannot_be_started(way):
    assert sandboxed("python3", program(STARTERS[way]) + program(REFUSED))["refused"] != 0


def test_javascript_child_process_is_refused():
    source = program("""
        function main() {
          const cp = process.getBuiltinModule('child_process');
          const out = {};
          try { cp.execSync('id'); out.exec = 'ran'; } catch (e) { out.exec = e.code; }
          try { out.spawn = cp.spawn('sleep', ['30']).pid === undefined ? 'refused' : 'ran'; }
          catch (e) { out.spawn = e.code; }
          return out;
        }
        """)
    assert sandboxed("javascript", source) == {"exec": "EPERM", "spawn": "EPERM"}


def test_fork_bomb_is_refused_and_a_thread_bomb_is_capped():
    fork_bomb = program("""
        import os
        def main():
            n = 0
            try:
                while n < 10000:
                    os.fork()
                    n += 1
            except OSError:
                pass
            return {'forks': n}
        """)
    thread_bomb = program("""
        import threading, time
        def main():
            n = 0
            try:
                while n < 10000:
                    threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
                    n += 1
            except RuntimeError:
                pass
            return {'threads': n}
        """)
    assert sandboxed("python3", fork_bomb) == {"forks": 0}
    threads = sandboxed("python3", thread_bomb, limits=Limits(code_timeout=2.0, code_max_tasks=12))["threads"]
    assert 0 < threads <= 12


def _watch_run(source: str, limits: Limits) -> tuple[dict, dict | None, SandboxError | None]:
    """Run ``source`` in a thread; gather the run's processes (pid -> host uid at the last look) while it runs."""
    outcome: dict = {}

    def target():
        try:
            outcome["result"] = sandboxed("python3", source, limits=limits)
        except SandboxError as exc:
            outcome["error"] = exc

    before = children_of(os.getpid())  # e.g. pooled template renderers of earlier tests: not this run's
    runner = threading.Thread(target=target)
    runner.start()
    seen: dict[int, int] = {}
    while runner.is_alive():
        for pid in children_of(os.getpid()) - before:
            try:
                seen[pid] = host_uid(pid)  # the launcher is root for the instant before it execs setpriv
            except (OSError, ValueError):
                pass
        time.sleep(0.05)
    runner.join()
    return seen, outcome.get("result"), outcome.get("error")


def test_nothing_outlives_the_run_and_nothing_runs_as_host_root():
    # setsid + double fork is refused; threads that would sleep on are killed with the run at its time limit
    source = program("""
        import os, threading, time
        def main():
            try:
                os.setsid()
            except OSError:
                pass
            try:
                if os.fork() == 0 and os.fork() == 0:
                    time.sleep(60)
            except OSError:
                pass
            for _ in range(4):
                threading.Thread(target=time.sleep, args=(60,)).start()
            time.sleep(60)
        """)
    began = time.monotonic()
    seen, _, error = _watch_run(source, Limits(code_timeout=1.0))
    assert error is not None and error.message == "Code execution timed out after 1s"
    assert time.monotonic() - began < 4 and len(seen) >= 2
    assert [pid for pid in seen if alive(pid)] == []
    if os.geteuid() == 0:
        assert set(seen.values()) == {NOBODY}  # setpriv dropped root before bwrap started


@pytest.fixture
def victim():
    """A host process of the sandbox's own uid, which code must not be able to signal."""
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if os.geteuid() == 0 else []
    process = subprocess.Popen(drop + ["sleep", "30"])
    time.sleep(0.1)
    yield process
    process.kill()
    process.wait()


def test_host_processes_cannot_be_signalled(victim):
    source = program("""
        import os, signal
        def main(pids):
            out = {}
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                    out[str(pid)] = 'sent'
                except OSError as e:
                    out[str(pid)] = e.errno
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            return {'out': out, 'ppid': os.getppid()}
        """)
    result = sandboxed("python3", source, {"pids": [victim.pid, os.getpid(), os.getppid()]})
    assert result["ppid"] in (0, 1)  # its parent is its own namespace's init: the host is out of sight
    time.sleep(0.1)
    assert victim.poll() is None and alive(victim.pid)


def test_a_cancelled_run_is_killed_at_once():
    before = children_of(os.getpid())  # e.g. pooled template renderers of earlier tests
    began = time.monotonic()
    source = program("""
        import signal, time
        def main():
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            time.sleep(30)
        """)
    with pytest.raises(SandboxCancelled):
        run_code("python3", source, {}, Limits(code_timeout=20.0), lambda: time.monotonic() - began > 0.5)
    assert time.monotonic() - began < 3
    assert sandbox_processes(children_of(os.getpid()) - before) == set()


def test_the_sandbox_dies_with_a_killed_worker():
    worker = program("""
        from core.workflow import Limits
        from core.workflow.sandbox import run_code
        run_code('python3', 'import time\\ndef main():\\n    time.sleep(60)\\n', {}, Limits(code_timeout=60.0),
                 lambda: False)
        """)
    process = subprocess.Popen([sys.executable, "-c", worker], cwd=REPO_ROOT)
    deadline = time.monotonic() + 15
    sandbox: set[int] = set()
    while time.monotonic() < deadline:  # not the first-use probe's run; the whole tree, seen in one read
        sandbox = children_of(process.pid)
        if runner_started(process.pid) and len(sandbox) >= 3:
            break
        time.sleep(0.05)
    assert len(sandbox) >= 3  # setpriv/bwrap, the namespace's init, the runner
    process.kill()
    process.wait()
    deadline = time.monotonic() + 3
    while any(alive(pid) for pid in sandbox) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in sandbox if alive(pid)] == []
