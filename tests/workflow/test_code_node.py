"""code node: python3 and javascript in the OS sandbox; limits, refusals and output checks (escapes: tests/sandbox)."""
import time

import pytest

from core.workflow import Limits
from tests.workflow.support import code, edge, end, graph, run, start

FAST = Limits(code_timeout=1.0)


def _run_code(source: str, outputs: dict, language: str = "python3", inputs: dict | None = None, **ctx):
    variables = {name: ["start", name] for name in inputs or {}}
    nodes = [start("start", *(inputs or {})), code("c", source, outputs, language, **variables),
             end(**{name: ["c", name] for name in outputs})]
    return run(graph(nodes, [edge("start", "c"), edge("c", "end")]), inputs or {}, **{"limits": FAST, **ctx})


def test_python_main_receives_inputs_and_returns_typed_outputs():
    source = "def main(a: str, n: str) -> dict:\n    print('noise')\n" \
             "    return {'text': a.upper(), 'n': int(n) * 2,\n" \
             "            'items': [a, a], 'flag': True, 'obj': {'k': 1}, 'extra': 'dropped'}\n"
    outputs = {"text": "string", "n": "number", "items": "array[string]", "flag": "boolean", "obj": "object"}

    result, events = _run_code(source, outputs, inputs={"a": "hi", "n": "21"})

    assert result.status == "succeeded", result.error
    assert result.outputs == {"text": "HI", "n": 42, "items": ["hi", "hi"], "flag": True, "obj": {"k": 1}}
    assert events.finished("c")["inputs"] == {"a": "hi", "n": "21"}


def test_javascript_main_receives_an_object():
    source = "function main({a, b}) {\n  console.log('noise');\n  return {sum: Number(a) + Number(b), list: [a, b]};\n}"

    result, _ = _run_code(source, {"sum": "number", "list": "array[string]"}, "javascript", {"a": "2", "b": "3"})

    assert result.status == "succeeded", result.error
    assert result.outputs == {"sum": 5, "list": ["2", "3"]}


def test_infinite_loop_times_out():
    began = time.monotonic()
    result, events = _run_code("def main():\n    while True:\n        pass\n", {"x": "string"})
    assert result.status == "failed" and result.error == "Code execution timed out after 1s"
    assert events.finished("c")["status"] == "failed" and time.monotonic() - began < 3


@pytest.mark.parametrize("language, source", [
    ("python3", "def main():\n    blob = bytearray(1024 * 1024 * 1024)\n    return {'x': len(blob)}\n"),
    ("python3", "def main():\n    chunks = []\n    while True:\n        chunks.append(' ' * 10_000_000)\n"),
    ("javascript", "function main() { const a = []; while (true) { a.push(new Array(1e6).fill(1)); } }"),
])
def test_memory_bomb_hits_the_memory_limit(language, source):
    result, _ = _run_code(source, {"x": "number"}, language, limits=Limits(code_timeout=5.0, code_memory_mb=128))
    assert result.status == "failed" and result.error == "Code execution exceeded the memory limit (128 MB)"


@pytest.mark.parametrize("language, source, message", [
    ("python3", "import socket\ndef main():\n    socket.create_connection(('127.0.0.1', 9))\n    return {}\n",
     "PermissionError: [Errno 1] Operation not permitted"),
    ("python3", "import urllib.request\ndef main():\n    urllib.request.urlopen('http://127.0.0.1:9/')\n",
     "URLError: <urlopen error [Errno 1] Operation not permitted>"),
    ("python3", "import subprocess\ndef main():\n    subprocess.run(['true'])\n",
     "PermissionError: [Errno 1] Operation not permitted"),
    ("python3", "def main():\n    return {'x': open('/etc/hostname').read()}\n",
     "FileNotFoundError: [Errno 2] No such file or directory: '/etc/hostname'"),
    ("javascript", "async function main() {\n  await new Promise((ok, ko) =>\n"
     "    require('http').get('http://127.0.0.1:9/', ok).on('error', ko));\n  return {};\n}",
     "connect EPERM 127.0.0.1:9"),
    ("javascript", "function main() { return {x: require('node:fs').readFileSync('/etc/hostname', 'utf8')}; }",
     "ENOENT: no such file or directory, open '/etc/hostname'"),
    ("javascript", "async function main() { await fetch('http://127.0.0.1:9/'); return {}; }",
     "TypeError: fetch failed"),
])
def test_network_processes_and_files_are_refused(language, source, message):
    result, _ = _run_code(source, {"x": "string"}, language)
    assert result.status == "failed" and message in result.error


def test_disabled_code_execution_is_a_clear_error():
    result, _ = _run_code("def main():\n    return {'x': 1}\n", {"x": "number"}, code_enabled=False)
    assert result.status == "failed" and result.error == "Code execution is disabled on this server"


@pytest.mark.parametrize("source, message", [
    ("def main():\n    return {'x': 'text'}\n", "Output x must be a number, got str"),
    ("def main():\n    return {}\n", "Output x is missing."),
    ("def main():\n    return 5\n", "TypeError: main() must return a dict, not int"),
    ("x = 1\n", "NameError: The code must define a function main(...)"),
    ("def main(:\n", "SyntaxError"),
])
def test_bad_results_are_reported(source, message):
    result, _ = _run_code(source, {"x": "number"})
    assert result.status == "failed" and message in result.error
