"""Fixtures of the outbound-request guard tests: loopback servers and a guard that trusts 127.0.0.2.

127.0.0.2 stands for "a public host": the guard under test is told (``Policy.trusted``) that it may
be reached, so redirects and DNS answers from it to 127.0.0.1 (denied) can be exercised for real.
"""
from __future__ import annotations

import pytest

from tests.support.loopback_http import PUBLIC, RecordingServer, loopback_only, servers_on_one_port


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
