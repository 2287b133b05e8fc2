"""No network: not TCP to the host's PostgreSQL/Redis, not their UNIX sockets, not a world-writable socket."""
import os
import socket
import tempfile

import pytest

from tests.sandbox.support import program, sandboxed

PG_SOCKET = "/var/run/postgresql/.s.PGSQL.5432"
PYTHON_CONNECT = program("""
    import socket
    def main(unix, tcp):
        out = {}
        for path in unix:
            try:
                socket.socket(socket.AF_UNIX).connect(path)
                out[path] = 'connected'
            except OSError as e:
                out[path] = e.errno
        for port in tcp:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1)
                out[str(port)] = 'connected'
            except OSError as e:
                out[str(port)] = e.errno
        return out
    """)
JS_CONNECT = program("""
    async function main({unix, tcp}) {
      const net = process.getBuiltinModule('net');
      const attempt = (options) => new Promise((done) => {
        try {
          const s = net.connect(options, () => { s.destroy(); done('connected'); });
          s.on('error', (e) => done(e.code));
        } catch (e) { done(e.code); }
      });
      const out = {};
      for (const path of unix) out[path] = await attempt({path});
      for (const port of tcp) out[String(port)] = await attempt({host: '127.0.0.1', port});
      return out;
    }
    """)


@pytest.fixture
def open_unix_socket():
    """A listening UNIX socket anyone on the host may connect to (like PostgreSQL's)."""
    folder = tempfile.mkdtemp(prefix="sandbox-socket-", dir="/tmp")
    os.chmod(folder, 0o755)
    path = os.path.join(folder, "open.sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    os.chmod(path, 0o777)
    server.listen(8)
    server.settimeout(0.2)
    yield path, server
    server.close()
    os.unlink(path)
    os.rmdir(folder)


@pytest.mark.parametrize("language, source", [("python3", PYTHON_CONNECT), ("javascript", JS_CONNECT)])
def test_postgres_redis_and_unix_sockets_are_unreachable(language, source, open_unix_socket):
    path, server = open_unix_socket
    unix = [path, PG_SOCKET, "/var/run/redis/redis-server.sock"]
    result = sandboxed(language, source, {"unix": unix, "tcp": [5432, 6379]})
    assert "connected" not in result.values(), result
    with pytest.raises(socket.timeout):
        server.accept()
    assert result[path] in (2, "ENOENT") and result[PG_SOCKET] in (2, "ENOENT")  # the file is not in its world
    assert result["5432"] in (1, "EPERM") and result["6379"] in (1, "EPERM")  # no socket but AF_UNIX


def test_the_host_services_really_listen():
    # the escape tests above mean something only if the host ends are reachable from outside the sandbox
    with socket.create_connection(("127.0.0.1", 5432), timeout=2), socket.create_connection(("127.0.0.1", 6379), 2):
        pass


def test_abstract_and_raw_sockets_are_refused():
    source = program("""
        import socket
        def main(name):
            out = {}
            try:
                socket.socket(socket.AF_UNIX).connect('\\0' + name)
                out['abstract'] = 'connected'
            except OSError as e:
                out['abstract'] = e.errno
            for kind, family in (('netlink', 16), ('packet', 17), ('inet6', 10)):
                try:
                    socket.socket(family, socket.SOCK_RAW)
                    out[kind] = 'opened'
                except OSError as e:
                    out[kind] = e.errno
            return out
        """)
    name = f"sandbox-escape-{os.getpid()}"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind("\0" + name)
    listener.listen(1)
    try:
        result = sandboxed("python3", source, {"name": name})
    finally:
        listener.close()
    assert result == {"abstract": 111, "netlink": 1, "packet": 1, "inet6": 1}  # ECONNREFUSED: its own net namespace
