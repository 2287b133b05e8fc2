"""Memory, CPU, wall time and output are bounded; the errors are the code node's usual texts."""
import time

import pytest

from core.workflow import Limits
from core.workflow.sandbox import SandboxError
from tests.sandbox.support import sandboxed

LIMITS = Limits(code_timeout=2.0, code_memory_mb=128, code_output_bytes=64 * 1024)


@pytest.mark.parametrize("language, source", [
    ("python3", "def main():\n    return {'x': len(bytearray(1024 * 1024 * 1024))}\n"),
    ("python3", "import mmap\ndef main():\n    m = mmap.mmap(-1, 1 << 31)\n    m[-1] = 1\n    return {}\n"),
    ("python3", "import ctypes\ndef main():\n    libc = ctypes.CDLL(None)\n    libc.malloc.restype = ctypes.c_void_p\n"
                "    return {'p': libc.malloc(1 << 30) or 0}\n"),
    ("javascript", "function main() { const a = []; while (true) { a.push(new Array(1e6).fill(1)); } }"),
])
def test_memory_bombs_hit_the_memory_limit(language, source):
    try:
        result = sandboxed(language, source, limits=LIMITS)
    except SandboxError as exc:
        assert exc.message == "Code execution exceeded the memory limit (128 MB)"
    else:
        assert result == {"p": 0}  # malloc itself refused the gigabyte


@pytest.mark.parametrize("language, source", [
    ("python3", "def main():\n    while True:\n        pass\n"),
    ("python3", "import time\ndef main():\n    time.sleep(30)\n"),
    ("javascript", "function main() { while (true) {} }"),
])
def test_endless_code_stops_at_the_wall_time(language, source):
    began = time.monotonic()
    with pytest.raises(SandboxError) as caught:
        sandboxed(language, source, limits=Limits(code_timeout=1.0))
    assert caught.value.message == "Code execution timed out after 1s" and time.monotonic() - began < 3


@pytest.mark.parametrize("language, source", [
    ("python3", "def main():\n    print('x' * 1_000_000)\n    return {}\n"),
    ("python3", "def main():\n    return {'x': 'y' * 1_000_000}\n"),
    ("javascript", "function main() { return {x: 'y'.repeat(1000000)}; }"),
])
def test_huge_output_is_refused(language, source):
    with pytest.raises(SandboxError) as caught:
        sandboxed(language, source, limits=LIMITS)
    assert caught.value.message == "Code output is too large"
