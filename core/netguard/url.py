"""Strict parsing of outbound http(s) URLs: one reading of the host that every later step uses.

Anything two URL parsers could read differently is refused rather than guessed: backslashes before
the query, user info (``user@host``), control characters, IPv6 zone ids, and IPv4 addresses not
written as four plain decimal numbers (``2130706433``, ``0x7f.1``, ``017700000001``, ``127.1``),
which libc resolvers and browsers expand to an address while the name looks harmless.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

from core.netguard.errors import UrlRefused

DEFAULT_PORTS = {"http": 80, "https": 443}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")  # WHATWG: a host ending so is an IPv4 address
_PORT = re.compile(r"^[0-9]{1,5}$")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """Where a URL points: ``host`` is a lower-case ASCII name or an IP (``ip`` set, no brackets)."""

    scheme: str
    host: str
    port: int
    ip: IPAddress | None = None

    @property
    def authority(self) -> str:
        """The ``Host`` header value: the host (bracketed when IPv6) and the port unless it is the default."""
        host = f"[{self.host}]" if isinstance(self.ip, ipaddress.IPv6Address) else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def parse_url(url: str) -> Target:
    """The Target of an absolute http(s) URL. Raises UrlRefused with a sentence saying what is wrong."""
    if not isinstance(url, str) or not url.strip():
        raise UrlRefused("Invalid URL: the URL is empty")
    if _CONTROL.search(url):
        raise UrlRefused(f"Invalid URL {url!r}: control characters (line breaks, tabs, NUL) are not allowed")
    if "\\" in re.split(r"[?#]", url, maxsplit=1)[0]:
        raise UrlRefused(f"Invalid URL '{url}': backslashes are not allowed before the query string")
    try:
        parts = urlsplit(url)
    except ValueError:  # brackets around something that is not an IPv6 address
        raise UrlRefused(f"Invalid URL '{url}': brackets in the host must enclose an IPv6 address") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlRefused(f"Invalid URL '{url}': only http and https URLs are supported")
    if "@" in parts.netloc:
        raise UrlRefused(f"Invalid URL '{url}': user names and passwords in the URL are not supported "
                         "(use the authorization settings)")
    host, port = _split_authority(parts.netloc, url)
    name, ip = _parse_host(host, url)
    return Target(scheme, name, port or DEFAULT_PORTS[scheme], ip)


def _split_authority(netloc: str, url: str) -> tuple[str, int | None]:
    if netloc.startswith("["):
        host, bracket, rest = netloc[1:].partition("]")
        if not bracket:
            raise UrlRefused(f"Invalid URL '{url}': unclosed '[' in the host")
        host = f"[{host}]"
    else:
        host, colon, port = netloc.partition(":")
        rest = colon + port
    if rest in ("", ":"):
        return host, None
    if not rest.startswith(":") or not _PORT.match(rest[1:]) or not 0 < int(rest[1:]) < 65536:
        raise UrlRefused(f"Invalid URL '{url}': the port must be a number from 1 to 65535")
    return host, int(rest[1:])


def _parse_host(host: str, url: str) -> tuple[str, IPAddress | None]:
    if not host:
        raise UrlRefused(f"Invalid URL '{url}': the URL has no host")
    if host.startswith("["):
        try:
            ip = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise UrlRefused(f"Invalid URL '{url}': '{host}' is not an IPv6 address") from None
        if ip.scope_id is not None:
            raise UrlRefused(f"Invalid URL '{url}': IPv6 zone ids ('%...') are not supported")
        return str(ip), ip
    name = _ascii_name(host, url)
    labels = name.rstrip(".").split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        try:
            ip = ipaddress.IPv4Address(name.rstrip("."))
        except ValueError:
            raise UrlRefused(f"Invalid URL '{url}': write an IPv4 address as four decimal numbers "
                             f"(like 93.184.215.14), not as '{host}'") from None
        return str(ip), ip
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise UrlRefused(f"Invalid URL '{url}': '{host}' is not a valid host name")
    return name, None


def _ascii_name(host: str, url: str) -> str:
    host = host.lower()
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise UrlRefused(f"Invalid URL '{url}': '{host}' is not a valid host name ({exc})") from None
