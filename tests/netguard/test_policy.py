"""The deny-list and the strict URL parser, without any network."""
from __future__ import annotations

import ipaddress

import pytest

from core import netguard
from core.netguard.policy import LOOPBACK, PRIVATE, SPECIAL


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", LOOPBACK), ("127.255.0.9", LOOPBACK), ("0.0.0.0", LOOPBACK), ("0.1.2.3", LOOPBACK),
    ("::1", LOOPBACK), ("::", LOOPBACK), ("::ffff:127.0.0.1", LOOPBACK), ("::ffff:0:7f00:1", LOOPBACK),
    ("::7f00:1", LOOPBACK), ("2002:7f00:1::", LOOPBACK), ("64:ff9b::7f00:1", LOOPBACK),
    ("10.0.0.1", PRIVATE), ("172.16.0.1", PRIVATE), ("192.168.1.1", PRIVATE), ("100.64.0.1", PRIVATE),
    ("169.254.169.254", PRIVATE), ("fd00::1", PRIVATE), ("fe80::1", PRIVATE), ("fec0::1", PRIVATE),
    ("2002:a00:1::", PRIVATE), ("64:ff9b::a9fe:a9fe", PRIVATE), ("64:ff9b:1::1", PRIVATE),
    ("224.0.0.1", SPECIAL), ("239.255.255.250", SPECIAL), ("255.255.255.255", SPECIAL), ("240.0.0.1", SPECIAL),
    ("192.0.0.8", SPECIAL), ("192.0.2.1", SPECIAL), ("198.18.0.1", SPECIAL), ("198.19.255.255", SPECIAL),
    ("198.51.100.7", SPECIAL), ("203.0.113.9", SPECIAL), ("192.88.99.1", SPECIAL), ("2001::1", SPECIAL),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", SPECIAL), ("2001:db8::1", SPECIAL), ("2001:2::1", SPECIAL),
    ("3fff::1", SPECIAL), ("100::1", SPECIAL), ("ff02::1", SPECIAL), ("::ffff:224.0.0.1", SPECIAL),
    ("8.8.8.8", None), ("93.184.215.14", None), ("172.32.0.1", None), ("2606:4700::1111", None),
    ("2002:808:808::", None), ("64:ff9b::808:808", None), ("::ffff:8.8.8.8", None),
])
def test_every_address_has_one_class(address, kind):
    assert netguard.classify(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("policy, allowed", [
    (netguard.Policy(), set()),
    (netguard.Policy(allow_loopback=True), {"127.0.0.1", "127.0.0.2", "::ffff:127.0.0.1"}),
    (netguard.Policy(allow_private=True), {"10.0.0.1", "169.254.169.254", "2002:a00:1::"}),
    (netguard.Policy(allow_private=True, allow_loopback=True),
     {"127.0.0.1", "127.0.0.2", "::ffff:127.0.0.1", "10.0.0.1", "169.254.169.254", "2002:a00:1::"}),
    (netguard.Policy(trusted=(ipaddress.ip_network("127.0.0.2/32"),)), {"127.0.0.2"}),
])
def test_allowances_are_separate_and_special_ranges_never_pass(policy, allowed):
    candidates = ["127.0.0.1", "127.0.0.2", "::ffff:127.0.0.1", "10.0.0.1", "169.254.169.254", "2002:a00:1::",
                  "224.0.0.1", "198.18.0.1", "2001::1"]
    passed = {a for a in candidates if policy.refusal(ipaddress.ip_address(a)) is None}
    assert passed == allowed


@pytest.mark.parametrize("url, reason", [
    ("http://evil.com\\@127.0.0.1/", "backslashes"), ("http://evil.com\\.127.0.0.1/", "backslashes"),
    ("http://2130706433/", "four decimal numbers"), ("http://0x7f.1/", "four decimal numbers"),
    ("http://017700000001/", "four decimal numbers"), ("http://127.1/", "four decimal numbers"),
    ("http://0177.0.0.1/", "four decimal numbers"), ("http://example.0x10/", "four decimal numbers"),
    ("http://user:pw@example.com/", "user names and passwords"), ("http://@example.com/", "user names"),
    ("ftp://example.com/", "only http and https"), ("file:///etc/passwd", "only http and https"),
    ("javascript:alert(1)", "only http and https"), ("//example.com/x", "only http and https"),
    ("http:///x", "no host"), ("http://example.com:0/", "port"), ("http://example.com:65536/", "port"),
    ("http://example.com:8o/", "port"), ("http://exa mple.com/", "not a valid host name"),
    ("http://example.com/a\r\nX-Injected: 1", "control characters"), ("http://[fe80::1%25eth0]/", "zone"),
    ("http://[::1/", "brackets"), ("http://[not-v6]/", "brackets"), ("http://x]/", "brackets"),
    ("", "empty"),
])
def test_ambiguous_or_malformed_urls_are_refused(url, reason):
    with pytest.raises(netguard.UrlRefused, match=reason):
        netguard.parse_url(url)


@pytest.mark.parametrize("url, host, port, authority", [
    ("https://API.Example.com/v1?q=a\\b", "api.example.com", 443, "api.example.com"),
    ("http://example.com:8080", "example.com", 8080, "example.com:8080"),
    ("http://[2606:4700::1111]:80/", "2606:4700::1111", 80, "[2606:4700::1111]"),
    ("http://bücher.example/", "xn--bcher-kva.example", 80, "xn--bcher-kva.example"),
    ("http://１２７.０.０.１/", "127.0.0.1", 80, "127.0.0.1"),
])
def test_well_formed_urls_parse_to_one_host(url, host, port, authority):
    target = netguard.parse_url(url)
    assert (target.host, target.port, target.authority) == (host, port, authority)


def test_every_resolved_address_is_judged():
    guard = netguard.Guard(resolver=lambda host, port: ["93.184.215.14", "10.0.0.7"])
    with pytest.raises(netguard.AddressRefused, match=r"'mixed.example' \(10.0.0.7\).*private"):
        guard.check("https://mixed.example/")


def test_embedded_address_is_named_in_the_refusal():
    with pytest.raises(netguard.AddressRefused, match="2002:7f00:1::, which carries 127.0.0.1"):
        netguard.Guard().check("http://[2002:7f00:1::]/")


def test_unresolvable_host_is_its_own_error():
    def fail(host, port):
        raise OSError("Name or service not known")

    with pytest.raises(netguard.Unresolvable, match="Cannot resolve host 'nowhere.invalid'"):
        netguard.Guard(resolver=fail).check("http://nowhere.invalid/")


@pytest.mark.parametrize("name, value, problem", [
    ("X-Note", "a\r\nX-Injected: 1", "line breaks"), ("X-Note", "a\nb", "line breaks"),
    ("X-Note", "a\x00b", "NUL"), ("X Note", "v", "header name"), ("X-Note\r\nX-Injected", "1", "header name"),
    ("", "v", "header name"), ("X:Note", "v", "header name"),
])
def test_unsafe_headers(name, value, problem):
    assert problem in netguard.header_problem(name, value)


def test_safe_header():
    assert netguard.header_problem("X-Trace", "t-ada; q=\"1\"\tok") is None
