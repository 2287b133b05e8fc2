"""``requests`` plumbing that connects only to the address the guard checked.

For every request, and so for every redirect hop ``requests`` follows, the adapter asks the guard to
check the URL, then opens (or reuses) a connection to the pinned IP address while TLS SNI, certificate
verification and the ``Host`` header keep the URL's host name. A DNS answer that changes between the
check and the connection (DNS rebinding) is therefore never used: there is no second lookup.
"""
from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from core.netguard.guard import Guard
from core.netguard.headers import check_headers
from core.netguard.url import parse_url

MAX_REDIRECTS = 5


class GuardedSession(requests.Session):
    """A Session whose every request and redirect hop passes ``guard``; proxies and netrc are ignored.

    Raises the :mod:`core.netguard.errors` exceptions (not ``requests`` ones) before anything is sent.
    """

    def __init__(self, guard: Guard, max_redirects: int = MAX_REDIRECTS):
        super().__init__()
        self.trust_env = False
        self.max_redirects = max_redirects
        adapter = PinnedAdapter(guard)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        """Parse the URL as given, before ``requests`` normalizes it (e.g. quotes a backslash)."""
        parse_url(request.url)
        return super().prepare_request(request)


class PinnedAdapter(HTTPAdapter):
    """Checks each request with its guard and connects to a pinned address, never to a fresh lookup.

    Like urllib3's own connect, the next checked address is tried when one refuses the connection
    (nothing was sent). A ``Host`` header given by the caller is replaced by the URL's host.
    """

    def __init__(self, guard: Guard):
        super().__init__()
        self.guard = guard

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        """Check, pin, send. Raises UrlRefused, Unresolvable, AddressRefused, HeaderRefused, or requests errors."""
        pin = self.guard.check(request.url)
        check_headers(request.headers.items())
        pinned = request.copy()
        pinned.headers["Host"] = pin.target.authority
        for address in pin.addresses:
            pinned.netguard_pin = (pin, address)  # read by build_connection_pool_key_attributes, on this copy only
            try:
                response = super().send(pinned, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies={})
                break
            except requests.ConnectionError as exc:
                if address == pin.addresses[-1] or not _never_connected(exc):
                    raise
        response.request = request
        return response

    def build_connection_pool_key_attributes(self, request: requests.PreparedRequest, verify: Any,
                                             cert: Any = None) -> tuple[dict, dict]:
        """The pool for the pinned IP; for https, SNI and the certificate name are the URL's host."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        pin, address = request.netguard_pin
        host_params["host"] = str(address)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = pin.target.host
        return host_params, pool_kwargs


def _never_connected(exc: requests.ConnectionError) -> bool:
    return isinstance(getattr(exc.args[0] if exc.args else None, "reason", None), NewConnectionError)


def session(guard: Guard) -> GuardedSession:
    """A new GuardedSession for ``guard`` (use it as a context manager to close its connections)."""
    return GuardedSession(guard)
