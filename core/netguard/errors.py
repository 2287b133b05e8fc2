"""Why an outbound request was refused before anything was sent."""


class NetguardError(Exception):
    """Base of every refusal; ``str(exc)`` is a sentence fit to show the user."""


class UrlRefused(NetguardError):
    """The URL is malformed, ambiguous, or not http(s)."""


class AddressRefused(NetguardError):
    """The host is (or resolves to) an address the policy denies."""


class Unresolvable(NetguardError):
    """The host name does not resolve."""


class HeaderRefused(NetguardError):
    """A header name or value could split or forge the request (CR, LF, NUL, not a token)."""
