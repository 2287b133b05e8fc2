"""The guarded session against real loopback servers: check before connect, redirects, rebinding, TLS."""
from __future__ import annotations

import ipaddress
import ssl
from urllib.parse import quote

import pytest
import requests
import trustme

from core import netguard
from tests.support.loopback_http import BYPASS_URLS, PUBLIC, RecordingServer, ScriptedResolver, trusted_guard


def _redirect(server: RecordingServer, to: str, host: str | None = None) -> str:
    return server.url("/redirect?to=" + quote(to, safe=""), host=host)


@pytest.mark.parametrize("form", BYPASS_URLS)
def test_denied_targets_get_no_connection(loopback_pair, form):
    v4, v6 = loopback_pair
    with netguard.session(netguard.Guard()) as client, pytest.raises(netguard.NetguardError):
        client.get(form.format(port=v4.port), timeout=2)
    assert v4.connections == 0 and v6.connections == 0


def test_allowed_target_is_reached_with_its_own_host_header(public):
    with netguard.session(trusted_guard()) as client:
        response = client.post(public.url("/hello?x=1"), data=b"hi", timeout=5)
    assert response.status_code == 200 and response.url == public.url("/hello?x=1")
    assert public.requests[0]["headers"]["Host"] == f"{PUBLIC}:{public.port}"
    assert public.requests[0]["body"] == "hi"


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret", "http://localhost:{port}/secret",
                                    "http://2130706433:{port}/secret", "http://[::ffff:127.0.0.1]:{port}/secret",
                                    "http://evil.com\\@127.0.0.1:{port}/secret"])
def test_redirect_from_an_allowed_host_to_loopback_is_refused(public, internal, target):
    with netguard.session(trusted_guard()) as client, pytest.raises(netguard.NetguardError):
        client.get(_redirect(public, target.format(port=internal.port)), timeout=5)
    assert len(public.requests) == 1
    assert internal.connections == 0


def test_redirects_between_allowed_hosts_are_followed_and_bounded(public):
    with netguard.session(trusted_guard()) as client:
        response = client.get(_redirect(public, public.url("/landed")), timeout=5)
        assert response.status_code == 200 and response.json()["path"] == "/landed"
        with pytest.raises(requests.TooManyRedirects):
            client.get(public.url("/loop"), timeout=5)
    assert len(public.requests) == 2 + netguard.MAX_REDIRECTS + 1


def test_dns_rebinding_cannot_move_the_connection(rebinding_pair):
    public, internal = rebinding_pair
    resolver = ScriptedResolver([PUBLIC], ["127.0.0.1"])  # public when checked, loopback on any later lookup
    with netguard.session(trusted_guard(resolver)) as client:
        response = client.get(public.url("/data", host="rebind.test"), timeout=5)
    assert response.status_code == 200
    assert public.requests[0]["headers"]["Host"] == f"rebind.test:{public.port}"
    assert resolver.calls == [("rebind.test", public.port)]  # resolved once; connected to that answer
    assert internal.connections == 0


def test_each_redirect_hop_is_resolved_and_checked_again(rebinding_pair):
    public, internal = rebinding_pair
    resolver = ScriptedResolver([PUBLIC], ["127.0.0.1"])
    start = _redirect(public, public.url("/next", host="rebind.test"), host="rebind.test")
    with netguard.session(trusted_guard(resolver)) as client, pytest.raises(netguard.AddressRefused):
        client.get(start, timeout=5)
    assert [r["path"].split("?")[0] for r in public.requests] == ["/redirect"]
    assert len(resolver.calls) == 2 and internal.connections == 0


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


def test_https_goes_to_the_pinned_address_but_verifies_the_url_host(ca, tmp_path):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("api.pinned.test").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    resolver = ScriptedResolver([PUBLIC])
    with RecordingServer(PUBLIC, ssl_context=context) as server, \
            netguard.session(trusted_guard(resolver)) as client:
        response = client.get(server.url("/tls", host="api.pinned.test", scheme="https"), timeout=5,
                              verify=str(bundle))
        with pytest.raises(requests.exceptions.SSLError):  # same address, a name the certificate lacks
            client.get(server.url("/tls", host="other.pinned.test", scheme="https"), timeout=5, verify=str(bundle))
    assert response.status_code == 200
    assert server.sni_names == ["api.pinned.test", "other.pinned.test"]
    assert [r["headers"]["Host"] for r in server.requests] == [f"api.pinned.test:{server.port}"]


@pytest.mark.parametrize("headers", [{"X-Note": "a\x00b"}, {"X Note": "v"}, {"X-Note": "a\r\nX-Injected: 1"}])
def test_unsafe_headers_are_never_sent(public, headers):
    with netguard.session(trusted_guard()) as client:
        with pytest.raises((netguard.HeaderRefused, requests.exceptions.InvalidHeader)):
            client.get(public.url(), headers=headers, timeout=5)
    assert public.connections == 0


def test_a_refused_connection_falls_back_to_the_next_checked_address(public):
    resolver = ScriptedResolver(["127.0.0.3", PUBLIC])  # nothing listens on 127.0.0.3
    guard = netguard.Guard(netguard.Policy(trusted=(ipaddress.ip_network("127.0.0.2/31"),)), resolver)
    with netguard.session(guard) as client:
        response = client.get(public.url("/both", host="two.example"), timeout=5)
    assert response.status_code == 200 and len(public.requests) == 1


def test_every_address_is_checked_before_any_is_tried(public, internal):
    resolver = ScriptedResolver([PUBLIC, "127.0.0.1"])
    with netguard.session(trusted_guard(resolver)) as client, pytest.raises(netguard.AddressRefused):
        client.get(public.url("/both", host="mixed.example"), timeout=5)
    assert public.connections == 0 and internal.connections == 0


def test_allow_loopback_reaches_an_ipv6_literal_with_a_bracketed_host():
    guard = netguard.Guard(netguard.Policy(allow_loopback=True))
    with RecordingServer("::1") as server, netguard.session(guard) as client:
        response = client.get(server.url("/v6"), timeout=5)
    assert response.status_code == 200
    assert server.requests[0]["headers"]["Host"] == f"[::1]:{server.port}"
