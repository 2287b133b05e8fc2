"""The SSRF guard as the MCP client uses it: allow flags, refusal before connecting, every request checked."""
from __future__ import annotations

import socket

import pytest

from core.mcp import McpConnectionError, McpProtocolError, McpSession, McpUrlRefused, ServerConfig, check_url
from tests.mcp.conftest import make_config
from tests.mcp.fake_server import FakeMcpServer
from tests.support import loopback_http as net


def fake_resolver(monkeypatch, *addresses: str) -> None:
    """Make every host resolve to ``addresses``."""
    def getaddrinfo(host, port, *args, **kwargs):
        family = lambda address: socket.AF_INET6 if ":" in address else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("url", ["ftp://example.com/mcp", "file:///etc/passwd", "gopher://x", "/relative", "http://"])
def test_bad_schemes_and_hosts(url):
    with pytest.raises(McpUrlRefused):
        check_url(url, allow_private=True, allow_loopback=True)


@pytest.mark.parametrize("address", ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
                                     "169.254.169.254", "fd00::1", "fe80::1", "::ffff:192.168.0.1"])
def test_private_and_link_local_need_allow_private(monkeypatch, address):
    fake_resolver(monkeypatch, address)
    with pytest.raises(McpUrlRefused) as caught:
        check_url("https://mcp.example.com/mcp")
    assert address.split(":")[-1] in caught.value.message or address in caught.value.message
    check_url("https://mcp.example.com/mcp", allow_private=True)


@pytest.mark.parametrize("address", ["127.0.0.1", "127.9.9.9", "::1", "0.0.0.0", "::ffff:127.0.0.1"])
def test_loopback_needs_allow_loopback(monkeypatch, address):
    fake_resolver(monkeypatch, address)
    with pytest.raises(McpUrlRefused):
        check_url("http://mcp.example.com/mcp", allow_private=True)
    check_url("http://mcp.example.com/mcp", allow_loopback=True)


@pytest.mark.parametrize("address", ["8.8.8.8", "172.32.0.1", "2606:4700::1111"])
def test_public_addresses_pass(monkeypatch, address):
    fake_resolver(monkeypatch, address)
    check_url("https://mcp.example.com:8443/mcp")


def test_any_bad_address_refuses(monkeypatch):
    fake_resolver(monkeypatch, "8.8.8.8", "10.0.0.1")  # DNS answers mixing public and private
    with pytest.raises(McpUrlRefused):
        check_url("https://mcp.example.com/mcp")


def test_real_resolution_of_localhost():
    with pytest.raises(McpUrlRefused):
        check_url("http://localhost:8080/mcp")
    check_url("http://localhost:8080/mcp", allow_loopback=True)


def test_unresolvable_host(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(McpConnectionError):
        check_url("https://nowhere.invalid/mcp")


def test_session_checks_before_connecting():
    # Nothing listens on port 9: without the guard this would be an McpConnectionError.
    session = McpSession(ServerConfig("http://127.0.0.1:9/mcp"))
    with pytest.raises(McpUrlRefused):
        session.initialize()
    session.close()


# --- One guard for every request of a session (core.netguard) ------------------------------------------

@pytest.fixture
def loopback_pair():
    """Servers on 127.0.0.1 and [::1] sharing one port (they record connections); no dialling out."""
    first, second = net.servers_on_one_port("127.0.0.1", "::1")
    with net.loopback_only(), first, second:
        yield first, second


@pytest.mark.parametrize("form", net.BYPASS_URLS + ["http://100.64.0.1:{port}/"])
def test_bypass_forms_are_refused_before_connecting(loopback_pair, form):
    v4, v6 = loopback_pair
    session = McpSession(ServerConfig(form.format(port=v4.port) + "mcp", timeout=2))
    with pytest.raises(McpUrlRefused):
        session.initialize()
    session.close()
    assert v4.connections == 0 and v6.connections == 0


def _rebinding_servers() -> tuple[FakeMcpServer, net.RecordingServer]:
    """An MCP server on 127.0.0.2 (trusted) and a recorder on 127.0.0.1 with the same port."""
    for _ in range(20):
        server = FakeMcpServer(host=net.PUBLIC)
        try:
            return server, net.RecordingServer("127.0.0.1", server.port)
        except OSError:
            server._httpd.server_close()
    raise RuntimeError("no port free on both addresses")


@pytest.mark.parametrize("transport, path", [("streamable", "/mcp"), ("sse", "/prefix/sse")])
def test_every_request_is_checked_so_dns_rebinding_never_reaches_loopback(transport, path):
    server, internal = _rebinding_servers()
    resolver = net.ScriptedResolver([net.PUBLIC])
    config = ServerConfig(f"http://mcp.rebind.test:{server.port}{path}", transport=transport, timeout=5)
    with net.loopback_only(), server, internal, McpSession(config, guard=net.trusted_guard(resolver)) as session:
        assert session.list_tools()
        resolver.answers = (["127.0.0.1"],)  # the name now points inside
        with pytest.raises(McpUrlRefused, match="loopback"):
            session.list_tools()
    assert server.seen("initialize") and server.seen("tools/list")
    assert internal.connections == 0


@pytest.mark.parametrize("endpoint", ["http://evil.com\\@127.0.0.1:{port}/prefix/messages",
                                      "http://2130706433:{port}/prefix/messages"])
def test_legacy_endpoint_announcements_are_parsed_strictly(endpoint):
    with net.loopback_only(), FakeMcpServer() as server:
        server.endpoint = endpoint.format(port=server.port)
        session = McpSession(make_config(server.sse_url, transport="sse", timeout=3))
        with pytest.raises(McpProtocolError, match="unusable endpoint"):
            session.initialize()
        session.close()
    assert not server.seen("initialize")
