"""The engine under gevent monkey-patching (threads become greenlets): parallelism and stop still work."""
import subprocess
import sys
from pathlib import Path

SCRIPT = """
from gevent import monkey; monkey.patch_all()
import threading, time
from tests.workflow.support import code, edge, end, graph, run, start
from tests.workflow.support import llm, settings_for
from tests.support.fake_openai import FakeOpenAI, Reply

SLEEP = "import time\\ndef main():\\n    time.sleep(0.5)\\n    return {'d': 1}\\n"
nodes = [start(), code("a", SLEEP, {"d": "number"}), code("b", SLEEP, {"d": "number"}), end(a=["a", "d"], b=["b", "d"])]
began = time.monotonic()
result, _ = run(graph(nodes, [edge("start", "a"), edge("start", "b"), edge("a", "end"), edge("b", "end")]))
assert result.outputs == {"a": 1, "b": 1}, result.error
assert time.monotonic() - began < 0.95, time.monotonic() - began

with FakeOpenAI() as fake:
    fake.script(Reply(text="x" * 200, chunk_size=1, pace=0.02))
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    began = time.monotonic()
    chat = graph([start(), llm("l", "hi"), end(o=["l", "text"])], [edge("start", "l"), edge("l", "end")])
    result, events = run(chat, should_stop=stop.is_set,
                         llm_settings_for=settings_for(fake))
    assert result.status == "stopped" and time.monotonic() - began < 1.0
    assert events.of("text_chunk")
print("OK")
"""


def test_parallel_branches_and_stop_under_gevent():
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=root, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("OK")
