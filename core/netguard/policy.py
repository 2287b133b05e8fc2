"""The one deny-list for outbound requests, and the policy deciding which of its classes an operator allows.

Every address is put in one class: ``loopback`` (127/8, ::1, and the "this host" 0.0.0.0/8 and ::,
which Linux connects to the local host), ``private`` (RFC 1918, CGNAT 100.64/10, link-local with the
cloud metadata address 169.254.169.254, IPv6 ULA, link-local and site-local), ``special`` (multicast,
broadcast, reserved, documentation, benchmarking, Teredo, other special-purpose ranges: never allowed),
or public. IPv6 forms that carry an IPv4 address (IPv4-mapped/-compatible/-translated, 6to4, NAT64) are
judged by that IPv4 address, so ``::ffff:127.0.0.1`` and ``2002:7f00:1::`` are loopback.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from core.netguard.url import IPAddress

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK, PRIVATE, SPECIAL = "loopback", "private", "special"
_DESCRIPTIONS = {LOOPBACK: "a loopback", PRIVATE: "a private or link-local", SPECIAL: "a reserved or special-purpose"}


def _networks(*cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


_CLASSES = (
    (LOOPBACK, _networks("127.0.0.0/8", "0.0.0.0/8", "::1/128", "::/128")),
    (PRIVATE, _networks("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
                        "fc00::/7", "fe80::/10", "fec0::/10", "64:ff9b:1::/48")),
    (SPECIAL, _networks("192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "198.18.0.0/15", "198.51.100.0/24",
                        "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "100::/64", "2001::/23", "2001:db8::/32",
                        "3fff::/20", "5f00::/16", "ff00::/8")),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, translated, 6to4, NAT64), else None."""
    if address.version == 4:
        return None
    if address.ipv4_mapped is not None or address.sixtofour is not None:
        return address.ipv4_mapped or address.sixtofour
    if int(address) > 1 and any(address in net for net in (_NAT64, _TRANSLATED, _COMPATIBLE)):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def classify(address: IPAddress) -> str | None:
    """``loopback``, ``private`` or ``special`` (see the module docstring); None for a public address."""
    address = embedded_ipv4(address) or address
    for name, networks in _CLASSES:
        if any(address in network for network in networks if network.version == address.version):
            return name
    return None if address.is_global and not address.is_multicast else SPECIAL


@dataclass(frozen=True)
class Policy:
    """Which non-public classes may be reached. ``trusted`` networks are always allowed, checked on the
    address as resolved (for an operator's known internal host, or a test server marked public)."""

    allow_private: bool = False
    allow_loopback: bool = False
    trusted: tuple[IPNetwork, ...] = ()

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` is denied (``"a loopback"``...), or None when it may be connected to."""
        if any(address in network for network in self.trusted if network.version == address.version):
            return None
        kind = classify(address)
        allowed = {None: True, LOOPBACK: self.allow_loopback, PRIVATE: self.allow_private, SPECIAL: False}[kind]
        return None if allowed else _DESCRIPTIONS[kind]
