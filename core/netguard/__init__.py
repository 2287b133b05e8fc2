"""One guard for every outbound HTTP request the server makes on a user's behalf (SSRF protection).

    guard = Guard(Policy(allow_private=False, allow_loopback=False))
    with session(guard) as client:          # a requests.Session
        client.get("https://api.example.com/v1/items", timeout=10)

Each request, and each redirect hop, is parsed strictly (:mod:`.url`), its host resolved once,
every address judged by one deny-list (:mod:`.policy`), and the connection made to the checked
address (:mod:`.transport`). Refusals are :mod:`.errors` exceptions raised before anything is sent.
"""
from core.netguard.errors import AddressRefused, HeaderRefused, NetguardError, Unresolvable, UrlRefused
from core.netguard.guard import Guard, Pin, Resolver, system_resolver
from core.netguard.headers import check_headers, header_problem
from core.netguard.policy import Policy, classify
from core.netguard.transport import MAX_REDIRECTS, GuardedSession, session
from core.netguard.url import Target, parse_url

__all__ = [
    "AddressRefused",
    "Guard",
    "GuardedSession",
    "HeaderRefused",
    "MAX_REDIRECTS",
    "NetguardError",
    "Pin",
    "Policy",
    "Resolver",
    "Target",
    "Unresolvable",
    "UrlRefused",
    "check_headers",
    "classify",
    "header_problem",
    "parse_url",
    "session",
    "system_resolver",
]
