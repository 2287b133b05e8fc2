"""HTTP plumbing shared by the MCP transports: encoding, error translation, stream abort, URL check."""
from __future__ import annotations

import json
import socket
from contextlib import contextmanager
from typing import Any, Iterator

import requests

from core import netguard
from core.mcp.errors import McpConnectionError, McpProtocolError, McpTimeout, McpUrlRefused

JSON = "application/json"
EVENT_STREAM = "text/event-stream"
MAX_JSON_BODY = 32 * 1024 * 1024
_EXCERPT = 300


def encode(message: Any) -> bytes:
    """A JSON-RPC message as compact UTF-8 JSON."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(payload: bytes | str) -> Any:
    """Parse a JSON-RPC payload. Raises McpProtocolError."""
    try:
        return json.loads(payload)
    except ValueError as exc:
        raise McpProtocolError(f"The MCP server sent invalid JSON: {exc}") from exc


def media_type(response: requests.Response) -> str:
    """The response's media type, lower-cased, without parameters."""
    return response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


def read_json(response: requests.Response) -> Any:
    """Read and parse a (streamed) JSON body, refusing bodies over MAX_JSON_BODY. Raises McpProtocolError."""
    body = bytearray()
    with translating("reading the reply"):
        for chunk in response.iter_content(65536):
            body += chunk
            if len(body) > MAX_JSON_BODY:
                raise McpProtocolError("The MCP server's reply is too large.")
    return decode(bytes(body))


def status_error(response: requests.Response, what: str) -> McpConnectionError:
    """The error for an unexpected HTTP status (the body's start is quoted to help diagnose)."""
    try:
        excerpt = next(response.iter_content(_EXCERPT), b"")[:_EXCERPT].decode("utf-8", "replace").strip()
    except (requests.RequestException, StopIteration):
        excerpt = ""
    detail = f": {excerpt}" if excerpt else ""
    return McpConnectionError(f"MCP server answered HTTP {response.status_code} to {what}{detail}",
                              status=response.status_code)


def check_url(url: str, allow_private: bool = False, allow_loopback: bool = False,
              resolver: netguard.Resolver | None = None) -> None:
    """Raise McpUrlRefused unless ``url`` is a well-formed http(s) URL whose every address is allowed.

    Private and link-local addresses need ``allow_private``, loopback ones ``allow_loopback``; the rest
    of :mod:`core.netguard.policy`'s deny-list is never allowed. Raises McpConnectionError when the host
    does not resolve.
    """
    with translating("checking the server URL"):
        netguard.Guard(netguard.Policy(allow_private, allow_loopback), resolver).check(url)


@contextmanager
def translating(what: str) -> Iterator[None]:
    """Turn guard refusals into McpUrlRefused, ``requests`` failures into McpTimeout or McpConnectionError."""
    try:
        yield
    except (netguard.UrlRefused, netguard.AddressRefused) as exc:
        raise McpUrlRefused(str(exc)) from exc
    except netguard.NetguardError as exc:  # unresolvable host, unsafe configured header
        raise McpConnectionError(str(exc)) from exc
    except requests.ConnectTimeout as exc:
        raise McpConnectionError(f"Timed out connecting to the MCP server ({what}).") from exc
    except requests.ReadTimeout as exc:
        raise McpTimeout(f"The MCP server did not answer in time ({what}).") from exc
    except requests.RequestException as exc:
        raise McpConnectionError(f"MCP connection failed ({what}): {exc}") from exc


def abort(response: requests.Response | None) -> None:
    """Wake a thread (or greenlet) blocked reading a streamed response, by shutting its socket down.

    The reading side sees the end of the stream and closes the response itself: closing it from here
    would race the reader (a "reentrant call" under gevent). Without a reachable socket it is closed here.
    """
    if response is None:
        return
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is None:
        response.close()
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
