"""Fixtures of the outbound-request guard tests: loopback servers and a guard that trusts 127.0.0.2.

127.0.0.2 stands for "a public host": the guard under test is told (``Policy.trusted``) that it may
be reached, so redirects and DNS answers from it to 127.0.0.1 (denied) can be exercised for real.
"""
from __future__ import annotations

import ipaddress

import pytest

from core import netguard
from tests.support.loopback_http import RecordingServer, loopback_only, servers_on_one_port

PUBLIC = "127.0.0.2"


def trusted_guard(resolver: netguard.Resolver | None = None) -> netguard.Guard:
    """The default policy, except that 127.0.0.2 counts as public."""
    return netguard.Guard(netguard.Policy(trusted=(ipaddress.ip_network(f"{PUBLIC}/32"),)), resolver)


@pytest.fixture(autouse=True)
def _loopback_only():
    """Nothing in these tests may dial out, even if the guard under test is broken."""
    with loopback_only():
        yield


@pytest.fixture
def internal():
    """A server on 127.0.0.1 (denied by default) that records every connection."""
    with RecordingServer("127.0.0.1") as server:
        yield server


@pytest.fixture
def public():
    """A server on 127.0.0.2 (trusted by :func:`trusted_guard`)."""
    with RecordingServer(PUBLIC) as server:
        yield server


@pytest.fixture
def loopback_pair():
    """Servers on 127.0.0.1 and [::1] sharing one port: whichever a bypass reaches records it."""
    first, second = servers_on_one_port("127.0.0.1", "::1")
    with first, second:
        yield first, second


@pytest.fixture
def rebinding_pair():
    """(public 127.0.0.2, internal 127.0.0.1) on one port: only the connected address tells them apart."""
    first, second = servers_on_one_port(PUBLIC, "127.0.0.1")
    with first, second:
        yield first, second


# Ways to write "this machine" that a naive guard lets through; {port} is the loopback_pair's port.
BYPASS_URLS = [
    "http://127.0.0.1:{port}/", "http://localhost:{port}/", "http://[::1]:{port}/", "http://0.0.0.0:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/", "http://[2002:7f00:1::]:{port}/", "http://[64:ff9b::7f00:1]:{port}/",
    "http://2130706433:{port}/", "http://0x7f.1:{port}/", "http://017700000001:{port}/", "http://127.1:{port}/",
    "http://evil.com\\@127.0.0.1:{port}/", "http://[::]:{port}/", "http://127.0.0.1.:{port}/",
]
