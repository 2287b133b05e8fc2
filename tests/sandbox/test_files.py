"""The code sees no host file: not through open, _io, posix, ctypes or Node's fs; writes stay in its scratch."""
import json
import os

import pytest

from api.config import REPO_ROOT
from tests.sandbox.support import open_host_folder, program, sandboxed

READERS = {
    "open": """
        def read(path):
            with open(path, 'rb') as f:
                return f.read().decode()
        """,
    "_io": """
        import _io
        def read(path):
            with _io.FileIO(path, 'r') as f:
                return f.read().decode()
        """,
    "posix": """
        import posix
        def read(path):
            return posix.read(posix.open(path, posix.O_RDONLY), 4096).decode()
        """,
    "ctypes": """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        def read(path):
            fd = libc.open(path.encode(), 0)
            if fd < 0:
                raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
            buf = ctypes.create_string_buffer(4096)
            return buf.raw[:libc.read(fd, buf, 4096)].decode()
        """,
}
TRY_ALL = """
    def main(paths):
        out = {}
        for p in paths:
            try:
                out[p] = 'read:' + read(p)
            except OSError as e:
                out[p] = 'refused:' + str(e.errno)
        return out
    """


@pytest.mark.parametrize("way", sorted(READERS))
def test_host_files_cannot_be_read(way):
    with open_host_folder() as folder:
        secret = folder / "secret.txt"
        paths = [str(secret), str(REPO_ROOT / "instance" / "secret_key"), str(REPO_ROOT / "setup.cfg"),
                 "/etc/shadow", "/etc/passwd", "/root/.bashrc"]
        result = sandboxed("python3", program(READERS[way]) + program(TRY_ALL), {"paths": paths})
    assert result == {path: "refused:2" for path in paths}  # ENOENT: not in the sandbox's view at all


def test_the_root_holds_only_the_read_only_runtime():
    source = program("""
        import os
        def main():
            return {'root': sorted(os.listdir('/')), 'etc': sorted(os.listdir('/etc')),
                    'proc': sorted(p for p in os.listdir('/proc') if p.isdigit())}
        """)
    result = sandboxed("python3", source)
    assert set(result["root"]) <= {"bin", "dev", "etc", "lib", "lib64", "lib32", "libx32", "proc", "sbin", "tmp", "usr"}
    assert result["etc"] == ["ld.so.cache"]
    assert len(result["proc"]) <= 3  # its own PID namespace: bwrap's init and the runner


def test_host_environment_is_not_visible_through_proc(monkeypatch):
    monkeypatch.setenv("SANDBOX_ESCAPE_MARKER", "visible-host-environment")
    source = program("""
        import os
        def main():
            seen = []
            for p in os.listdir('/proc'):
                try:
                    seen.append(open(f'/proc/{p}/environ', 'rb').read().decode(errors='replace'))
                except OSError:
                    pass
            return {'environ': seen, 'mine': dict(os.environ)}
        """)
    result = sandboxed("python3", source)
    assert "visible-host-environment" not in json.dumps(result)
    assert set(result["mine"]) <= {"PATH", "LANG", "HOME", "TMPDIR", "MALLOC_ARENA_MAX", "LC_CTYPE", "PWD"}


def test_writes_outside_the_scratch_folder_fail_and_scratch_is_private():
    source = program("""
        import os
        def main(targets):
            out = {}
            for t in targets:
                try:
                    with open(t, 'w') as f:
                        f.write('x')
                    out[t] = 'written'
                except OSError:
                    out[t] = 'refused'
            open('/tmp/scratch-mark', 'w').write('mine')
            return {'out': out, 'scratch': open('/tmp/scratch-mark').read(), 'cwd': os.getcwd()}
        """)
    with open_host_folder() as folder:
        targets = [str(folder / "dropped.txt"), "/usr/dropped.txt", "/etc/dropped.txt", "/dropped.txt",
                   "/dev/dropped.txt", "/dev/shm/dropped.txt", "/proc/sys/kernel/hostname",
                   str(REPO_ROOT / "dropped.txt")]
        result = sandboxed("python3", source, {"targets": targets})
        assert result["out"] == {target: "refused" for target in targets}
        assert result["scratch"] == "mine" and result["cwd"] == "/tmp"
        assert os.listdir(folder) == ["secret.txt"]
    assert not (REPO_ROOT / "dropped.txt").exists() and not os.path.exists("/tmp/scratch-mark")


def test_scratch_space_is_bounded():
    source = program("""
        def main():
            written = 0
            try:
                while written < 64 * 1024 * 1024:
                    with open(f'/tmp/fill-{written}', 'wb') as f:
                        f.write(b'x' * 131072)
                    written += 131072
            except OSError as e:
                return {'written': written, 'errno': e.errno}
            return {'written': written}
        """)
    result = sandboxed("python3", source)
    assert 0 < result["written"] <= 4 * 1024 * 1024 and result["errno"] == 28  # ENOSPC: the tmpfs holds 4 MB


def test_javascript_builtin_fs_sees_no_host_file():
    source = """
        function main({paths}) {
          const fs = process.getBuiltinModule('fs');
          const out = {};
          for (const p of paths) {
            try { out[p] = 'read:' + fs.readFileSync(p, 'utf8'); } catch (e) { out[p] = e.code; }
          }
          try { fs.writeFileSync(paths[0] + '.js-dropped', 'x'); out.write = 'written'; }
          catch (e) { out.write = e.code; }
          out.root = fs.readdirSync('/').sort();
          return out;
        }
        """
    with open_host_folder() as folder:
        paths = [str(folder / "secret.txt"), str(REPO_ROOT / "instance" / "secret_key"), "/etc/shadow"]
        result = sandboxed("javascript", program(source), {"paths": paths})
        assert {path: result[path] for path in paths} == {path: "ENOENT" for path in paths}
        assert result["write"] == "ENOENT" and "work" not in result["root"] and "root" not in result["root"]
        assert os.listdir(folder) == ["secret.txt"]
