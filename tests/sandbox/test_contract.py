"""Dify's contract holds in the sandbox; without isolation nothing runs; extra packages are importable."""
import os
import shutil
import tempfile

import pytest

from core.workflow.sandbox import SandboxError, SandboxSettings, SandboxUnavailable
from tests.sandbox.support import open_host_folder, sandboxed
from tests.workflow.support import code, edge, end, graph, load_workflow, run, start

EXTRA_PACKAGE = {"__init__.py": "from pathlib import Path\n"
                                "WORDS = (Path(__file__).parent / 'words.txt').read_text().split()\n",
                 "words.txt": "alpha beta gamma\n"}


@pytest.mark.parametrize("language, source", [
    ("python3", "def main(a: int, b: list) -> dict:\n    return {'sum': a + sum(b), 'nested': {'b': b}}\n"),
    ("javascript", "async function main({a, b}) {\n  return {sum: a + b.reduce((x, y) => x + y, 0), nested: {b}};\n}"),
])
def test_main_returning_a_dict(language, source):
    assert sandboxed(language, source, {"a": 1, "b": [2, 3]}) == {"sum": 6, "nested": {"b": [2, 3]}}


@pytest.mark.parametrize("language, source, message", [
    ("python3", "def main():\n    return [1]\n", "TypeError: main() must return a dict, not list"),
    ("python3", "x = 1\n", "NameError: The code must define a function main(...)"),
    ("python3", "def main():\n    raise ValueError('bad input')\n", "ValueError: bad input"),
    ("javascript", "function main() { return [1]; }", "TypeError: main() must return an object"),
    ("javascript", "const x = 1;", "ReferenceError: The code must define a function main(...)"),
    ("ruby", "def main; end", "Unsupported code language 'ruby'"),
])
def test_errors_keep_their_texts(language, source, message):
    with pytest.raises(SandboxError) as caught:
        sandboxed(language, source)
    assert caught.value.message == message


@pytest.mark.parametrize("bwrap", ["/bin/false", "/nonexistent/bwrap"])
def test_without_namespaces_code_nodes_fail_clearly_and_nothing_runs(bwrap):
    with open_host_folder() as folder:
        mark = folder / "ran-unconfined"
        source = f"def main():\n    open({str(mark)!r}, 'w').write('x')\n    return {{'x': 1}}\n"
        nodes = [start("start"), code("c", source, {"x": "number"}), end(x=["c", "x"])]
        result, events = run(graph(nodes, [edge("start", "c"), edge("c", "end")]),
                             code_sandbox=SandboxSettings(bwrap=bwrap))
        assert result.status == "failed"
        assert result.error.startswith("Code execution is unavailable: "
                                       "the code sandbox cannot isolate code on this host")
        assert events.finished("c")["status"] == "failed"
        assert [e["error_type"] for e in result.node_executions if e["node_id"] == "c"] == ["CodeSandboxUnavailable"]
        assert not mark.exists()


def test_an_interpreter_the_sandbox_uid_cannot_read_is_refused():
    pythons = ["/nonexistent/python3"]
    private = tempfile.mkdtemp(prefix="sandbox-private-")  # mode 0700, like pyenv's Python under /root
    if os.geteuid() == 0:
        os.makedirs(os.path.join(private, "bin"))
        pythons.append(shutil.copy(os.path.realpath("/usr/bin/python3"), os.path.join(private, "bin", "python3")))
    try:
        for python in pythons:
            with pytest.raises(SandboxUnavailable):
                sandboxed("python3", "def main():\n    return {}\n", settings=SandboxSettings(python=python))
    finally:
        shutil.rmtree(private)


def test_extra_packages_are_importable_read_only_and_their_data_readable(tmp_path_factory):
    with open_host_folder() as folder:
        package = folder / "packages" / "sandbox_extra"
        package.mkdir(parents=True)
        for name, text in EXTRA_PACKAGE.items():
            (package / name).write_text(text)
        os.chmod(folder / "packages", 0o755)
        os.chmod(package, 0o755)
        source = "import sandbox_extra\ndef main():\n    try:\n        open(sandbox_extra.__file__, 'a')\n" \
                 "        writable = True\n    except OSError:\n        writable = False\n" \
                 "    return {'words': sandbox_extra.WORDS, 'writable': writable}\n"
        settings = SandboxSettings(python_packages=str(folder / "packages"))
        assert sandboxed("python3", source, settings=settings) == {"words": ["alpha", "beta", "gamma"],
                                                                   "writable": False}
        with pytest.raises(SandboxError) as caught:
            sandboxed("python3", source)  # not configured: not there
        assert caught.value.message == "ModuleNotFoundError: No module named 'sandbox_extra'"


def test_a_real_export_importing_json_repair_runs_with_the_operator_packages(sandbox_packages):
    workflow = load_workflow("awesome-json-repair")
    result, _ = run(workflow["graph"], {"llm_string": "{'a': 1, 'b': [1, 2"},
                    code_sandbox=SandboxSettings(python_packages=sandbox_packages))
    assert result.status == "succeeded", result.error
    assert '"a": 1' in str(result.outputs) and "[1, 2]" in str(result.outputs)
