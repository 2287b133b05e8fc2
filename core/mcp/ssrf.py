"""SSRF guard: refuse MCP server URLs that point inside the network unless explicitly allowed."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from core.mcp.errors import McpConnectionError, McpUrlRefused

_PRIVATE = tuple(ipaddress.ip_network(net) for net in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7",
    "169.254.0.0/16", "fe80::/10",  # link-local (cloud metadata lives at 169.254.169.254)
))
_LOOPBACK = tuple(ipaddress.ip_network(net) for net in ("127.0.0.0/8", "::1/128", "0.0.0.0/8", "::/128"))


def check_url(url: str, allow_private: bool = False, allow_loopback: bool = False) -> None:
    """Raise McpUrlRefused unless ``url`` is http(s) and every address its host resolves to is allowed.

    Private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) and link-local (169.254/16, fe80::/10)
    addresses need ``allow_private``; loopback (127/8, ::1, and the "this host" 0.0.0.0/8 and ::) needs
    ``allow_loopback``. IPv4-mapped IPv6 addresses are judged as their IPv4 address.
    Raises McpConnectionError when the host does not resolve.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise McpUrlRefused(f"Only http and https MCP server URLs are allowed, not {parts.scheme or 'none'!r}.")
    if not parts.hostname:
        raise McpUrlRefused("The MCP server URL has no host.")
    for address in _resolve(parts.hostname, _port(parts)):
        reason = _refusal(address, allow_private, allow_loopback)
        if reason:
            raise McpUrlRefused(f"MCP server {parts.hostname} resolves to {reason} address {address}.")


def _port(parts) -> int:
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise McpUrlRefused(f"The MCP server URL has an invalid port: {exc}") from exc


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise McpConnectionError(f"Cannot resolve MCP server host {host!r}: {exc}") from exc
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])  # drop an IPv6 zone id
        mapped = getattr(address, "ipv4_mapped", None)
        addresses.append(mapped or address)
    return addresses


def _refusal(address, allow_private: bool, allow_loopback: bool) -> str | None:
    if any(address in net for net in _LOOPBACK):
        return None if allow_loopback else "a loopback"
    if any(address in net for net in _PRIVATE):
        return None if allow_private else "a private or link-local"
    return None
