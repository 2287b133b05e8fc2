"""Requests gunicorn refuses before the app sees them still get the API's JSON error body."""
from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest


def _raw_exchange(base_url: str, request: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send `request` bytes as they are; (status line, headers, body) of the answer."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return status, headers, body


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GET /api/site?q=" + b"x" * 5000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414, "uri_too_long"),
    (b"GET /api/site HTTP/1.1\r\nHost: t\r\nX-Big: " + b"y" * 9000 + b"\r\n\r\n", 431,
     "request_header_fields_too_large"),
    (b"GET /api/site HTTP/1.1\r\nHost: t\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(120)) + b"\r\n", 431,
     "request_header_fields_too_large"),
    (b"THIS IS NOT HTTP\r\n\r\n", 400, "bad_request"),
], ids=["request-line-too-long", "header-too-large", "too-many-headers", "garbage"])
def test_gunicorn_refusals_are_json(server, request_bytes, status, code):
    status_line, headers, body = _raw_exchange(server, request_bytes)
    assert status_line.startswith(f"HTTP/1.1 {status} "), status_line
    assert headers["content-type"] == "application/json" and int(headers["content-length"]) == len(body)
    payload = json.loads(body)
    assert payload["code"] == code and payload["status"] == status and payload["message"], payload


def test_a_declared_body_over_max_content_length_is_refused_before_it_is_sent(server, make_code):
    """Only the head is sent: the 413 comes without waiting for (or authenticating) the 3 MiB body."""
    head = (b"POST /api/chat-messages HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nX-App-Code: "
            + make_code().encode() + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (3 * 1024 * 1024))
    status_line, _, answer = _raw_exchange(server, head)
    assert status_line.startswith("HTTP/1.1 413 "), status_line
    body = json.loads(answer)
    assert body == {"code": "request_entity_too_large", "status": 413,
                    "message": "The request body is larger than 2097152 bytes."}
