"""Check a URL once: parse it strictly, resolve its host once, judge every address, pin the one to use."""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Callable

from core.netguard.errors import AddressRefused, Unresolvable
from core.netguard.policy import Policy, embedded_ipv4
from core.netguard.url import IPAddress, Target, parse_url

Resolver = Callable[[str, int], list[str]]  # (host, port) -> IP address strings, in preference order


def system_resolver(host: str, port: int) -> list[str]:
    """The system's answer (``getaddrinfo``, cooperative under gevent). Raises OSError/UnicodeError."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class Pin:
    """A checked target: connect to one of ``addresses`` (all allowed, in the resolver's order of
    preference); name ``target.host`` in SNI, the certificate check and ``Host``."""

    target: Target
    addresses: tuple[IPAddress, ...]


class Guard:
    """Judges URLs against a :class:`Policy`, resolving names with ``resolver`` (injectable for tests)."""

    def __init__(self, policy: Policy | None = None, resolver: Resolver | None = None):
        self.policy = policy or Policy()
        self.resolver = resolver or system_resolver

    def check(self, url: str) -> Pin:
        """Pin ``url`` to the addresses it resolves to, once every one of them is allowed.

        Raises UrlRefused (malformed or not http(s)), Unresolvable, AddressRefused (any address denied).
        """
        target = parse_url(url)
        addresses = [target.ip] if target.ip is not None else self._resolve(target)
        for address in addresses:
            reason = self.policy.refusal(address)
            if reason:
                raise AddressRefused(_refusal_message(target.host, address, reason))
        return Pin(target, tuple(addresses))

    def _resolve(self, target: Target) -> list[IPAddress]:
        try:
            answers = self.resolver(target.host, target.port)
        except (OSError, UnicodeError) as exc:
            raise Unresolvable(f"Cannot resolve host '{target.host}': {exc}") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(a).split("%", 1)[0]) for a in answers))
        if not addresses:
            raise Unresolvable(f"Cannot resolve host '{target.host}': no addresses")
        return addresses


def _refusal_message(host: str, address: IPAddress, reason: str) -> str:
    carried = embedded_ipv4(address)
    written = f"{address}, which carries {carried}" if carried else str(address)
    shown = f"'{host}'" if host == str(address) and not carried else f"'{host}' ({written})"
    return (f"Access to {shown} is not allowed: it is {reason} address, and such addresses are blocked for "
            "outbound requests on this server")
