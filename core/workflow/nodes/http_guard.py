"""Outbound HTTP policy of http-request nodes: no private, loopback or link-local targets (SSRF guard).

Two checks: the URL's host is resolved before the request (clean error, nothing sent), and every
socket the session opens (redirects included, DNS rebinding too) is checked again by peer address.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_EXTRA_BLOCKED = (ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("192.0.0.0/24"))


class BlockedAddress(Exception):
    """The request would reach a private/loopback/link-local address (not an OSError, so urllib3 won't retry)."""


def is_blocked(address: str) -> bool:
    """True for private, loopback, link-local, multicast, reserved or unspecified IP addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved:
        return True
    return ip.is_unspecified or any(ip in network for network in _EXTRA_BLOCKED if ip.version == network.version)


def check_url(url: str) -> None:
    """Resolve the URL's host; raise BlockedAddress if any address is not public, ValueError if unusable."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"Invalid URL '{url}': only http and https URLs are supported")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise ValueError(f"Cannot resolve host '{parts.hostname}': {exc}") from exc
    for info in infos:
        if is_blocked(info[4][0]):
            raise BlockedAddress(_blocked_message(parts.hostname, info[4][0]))


def session(allow_private: bool) -> requests.Session:
    """A requests Session ignoring proxy/netrc environment; guarded unless ``allow_private``."""
    result = requests.Session()
    result.trust_env = False
    if not allow_private:
        adapter = _GuardedAdapter()
        result.mount("http://", adapter)
        result.mount("https://", adapter)
    return result


def _blocked_message(host: str, address: str) -> str:
    return (f"Access to '{host}' ({address}) is not allowed: private, loopback and link-local "
            "addresses are blocked for HTTP requests on this server")


def _check_peer(sock: socket.socket, host: str) -> None:
    address = sock.getpeername()[0]
    if is_blocked(address):
        sock.close()
        raise BlockedAddress(_blocked_message(host, address))


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    """An adapter whose connection pools check each new socket's peer address."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
