"""Connection settings for one MCP server."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.netguard import Policy

TRANSPORTS = ("auto", "streamable", "sse")
STREAMABLE_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26")  # newest first: the first is offered
SSE_VERSIONS = STREAMABLE_VERSIONS + ("2024-11-05",)
CLIENT_INFO = {"name": "llm-web-api", "version": "0.1.0"}


@dataclass
class ServerConfig:
    """Where an MCP server is and how to talk to it.

    ``transport``: "auto" (Streamable HTTP, falling back to HTTP+SSE on a 4xx), "streamable" or "sse".
    ``timeout``: default seconds per request (and for connecting). ``sse_read_timeout``: seconds of
    silence tolerated on long-lived streams (the GET listen stream, the legacy SSE stream).
    ``headers`` are sent on every HTTP request (e.g. ``Authorization``). ``allow_private`` and
    ``allow_loopback`` relax the SSRF guard (:mod:`core.netguard`) for every request of the session.
    """

    url: str
    headers: dict = field(default_factory=dict)
    transport: str = "auto"
    timeout: float = 30.0
    sse_read_timeout: float = 300.0
    allow_private: bool = False
    allow_loopback: bool = False

    def __post_init__(self) -> None:
        if self.transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {TRANSPORTS}, not {self.transport!r}")
        if self.timeout <= 0 or self.sse_read_timeout <= 0:
            raise ValueError("timeouts must be positive")

    @property
    def policy(self) -> Policy:
        """The outbound-address policy of this server's requests."""
        return Policy(allow_private=self.allow_private, allow_loopback=self.allow_loopback)

    @property
    def connect_timeout(self) -> float:
        """Seconds allowed to open a TCP connection."""
        return min(self.timeout, 10.0)
