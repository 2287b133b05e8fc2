"""The JS client under web/: its Node unit tests pass and the committed build matches the TypeScript sources."""
from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
BUILT = WEB / "static" / "js"
BUILD_OUTPUTS = ["client.js", "client.d.ts", "types"]


def _run(*command: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=WEB, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def npm() -> str:
    """npm, with web/node_modules installed from package-lock.json (`npm ci`) when missing."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        pytest.fail("Node.js 20+ and npm are required for the web client tests", pytrace=False)
    tools = [WEB / "node_modules" / ".bin" / name for name in ("esbuild", "tsc")]
    if not all(tool.exists() for tool in tools):
        result = _run(npm, "ci", "--no-audit", "--no-fund")
        assert result.returncode == 0, f"npm ci failed:\n{result.stdout}\n{result.stderr}"
    return npm


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_committed_build_is_what_the_sources_build_to(npm, tmp_path):
    result = _run("node", "build.mjs", "--outdir", str(tmp_path))
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"
    fresh = _tree(tmp_path)
    committed = [path for path in _tree(BUILT) if path.split("/")[0] in BUILD_OUTPUTS]
    assert fresh == committed, "web/static/js differs from a fresh build: run `npm run build` in web/"
    stale = [path for path in fresh if not filecmp.cmp(tmp_path / path, BUILT / path, shallow=False)]
    assert not stale, f"stale build output {stale}: run `npm run build` in web/ and commit the result"


def test_node_unit_tests_pass(npm):
    result = _run(npm, "test")
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"npm test failed:\n{output[-6000:]}"
    assert "# fail 0" in output and "# pass 0" not in output, output[-2000:]
