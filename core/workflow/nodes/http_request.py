"""http-request: one HTTP call with templated URL, headers, params, body and authorization.

Every request (and redirect hop) goes through :mod:`core.netguard`. Key/value fields are split into
lines *before* their templates are rendered, so an end user's line break stays inside its value, and a
header or query parameter whose rendered text holds CR, LF or NUL fails the node before anything is sent.
"""
import base64
import re
import time

import requests

from core import netguard
from core.workflow.errors import NodeError
from core.workflow.node_api import NodeResult, NodeRun

_CHUNK = 65536
_ERROR_TYPE = "HttpRequestNodeError"
_BREAKING = re.compile(r"[\r\n\x00]")
_REFUSAL_TYPES = {netguard.UrlRefused: "InvalidURLError", netguard.AddressRefused: "BlockedAddress"}


def run(node: NodeRun) -> NodeResult:
    """Outputs ``status_code``, ``body`` (text), ``headers`` and ``files`` ([]). Raises NodeError."""
    request = build_request(node)
    connect, read = _timeouts(node)
    verify = node.data.get("ssl_verify", True) is not False
    with netguard.session(guard_for(node)) as client:
        try:
            response = client.request(**request, timeout=(connect, read), stream=True, verify=verify)
            with response:
                body = _read_body(node, response, time.monotonic() + connect + read)
        except netguard.NetguardError as exc:
            raise NodeError(str(exc), _REFUSAL_TYPES.get(type(exc), _ERROR_TYPE)) from exc
        except requests.RequestException as exc:
            raise NodeError(f"HTTP request failed: {exc}", _ERROR_TYPE) from exc
    outputs = {"status_code": response.status_code, "body": _decode(response, body),
               "headers": dict(response.headers), "files": []}
    return NodeResult(outputs=outputs, process_data={"request": _describe(request, node.data)})


def guard_for(node: NodeRun) -> netguard.Guard:
    """The run's injected guard, else one allowing private and loopback targets iff ``http_allow_private``."""
    if node.ctx.http_guard is not None:
        return node.ctx.http_guard
    allow = node.ctx.http_allow_private
    return netguard.Guard(netguard.Policy(allow_private=allow, allow_loopback=allow))


def build_request(node: NodeRun) -> dict:
    """Keyword arguments for ``requests.Session.request`` from the node's data. Raises NodeError."""
    data = node.data
    headers = dict(template_pairs(node, data.get("headers")))
    headers.update(_auth_headers(node, data.get("authorization") or {}))
    _check_headers(headers)
    request = {"method": str(data.get("method") or "get").upper(), "url": node.render(data.get("url")).strip(),
               "headers": headers, "params": _checked_params(template_pairs(node, data.get("params")))}
    request.update(_body(node, data.get("body") or {}, headers))
    return request


def template_pairs(node: NodeRun, raw) -> list[tuple[str, str]]:
    """(key, value) pairs from ``"k:v"`` template lines or a ``[{"key", "value"}]`` list.

    Lines are split (at the first colon) before rendering, and each key and value is rendered on its
    own: a variable's line breaks cannot start a new pair. Pairs with a blank key are skipped.
    """
    if isinstance(raw, list):
        items = [(str(item.get("key") or ""), str(item.get("value") or "")) for item in raw if isinstance(item, dict)]
    else:
        items = [(key, value) for key, _, value in (line.partition(":") for line in str(raw or "").split("\n"))]
    pairs = []
    for key, value in items:
        key = node.render(key.strip()).strip()
        if key:
            pairs.append((key, node.render(value.strip()).strip()))
    return pairs


def _check_headers(headers: dict) -> None:
    for name, value in headers.items():
        problem = netguard.header_problem(name, value)
        if problem:
            raise NodeError(problem, _ERROR_TYPE)


def _checked_params(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    for key, value in pairs:
        if _BREAKING.search(key) or _BREAKING.search(value):
            raise NodeError(f"Invalid query parameter {key!r}: line breaks (CR, LF) and NUL characters are not "
                            "allowed in parameter names and values", _ERROR_TYPE)
    return pairs


def _body(node: NodeRun, body: dict, headers: dict) -> dict:
    kind = body.get("type") or "none"
    if kind == "none":
        return {}
    if kind in ("json", "raw-text"):
        if kind == "json" and not any(key.lower() == "content-type" for key in headers):
            headers["Content-Type"] = "application/json"
        return {"data": _body_text(node, body.get("data")).encode("utf-8")}
    if kind in ("x-www-form-urlencoded", "form-data"):
        pairs = _body_pairs(node, body.get("data"))
        return {"data": pairs} if kind == "x-www-form-urlencoded" else {"files": [(k, (None, v)) for k, v in pairs]}
    raise NodeError(f"Unsupported body type '{kind}' (files are not supported)", _ERROR_TYPE)


def _body_text(node: NodeRun, raw) -> str:
    if isinstance(raw, list):
        raw = "".join(str(item.get("value") or "") for item in raw if isinstance(item, dict))
    return node.render(raw or "")


def _body_pairs(node: NodeRun, raw) -> list[tuple[str, str]]:
    if isinstance(raw, list) and any(isinstance(item, dict) and item.get("type") == "file" for item in raw):
        raise NodeError("File fields are not supported in HTTP request bodies", _ERROR_TYPE)
    return template_pairs(node, raw)


def _auth_headers(node: NodeRun, authorization: dict) -> dict:
    if authorization.get("type") != "api-key":
        return {}
    config = authorization.get("config") or {}
    key = node.render(config.get("api_key") or "")
    kind = config.get("type") or "bearer"
    header = config.get("header") or "Authorization"
    if kind == "bearer":
        return {header: f"Bearer {key}"}
    if kind == "basic":
        encoded = base64.b64encode(key.encode()).decode() if ":" in key else key
        return {header: f"Basic {encoded}"}
    return {header: key}


def _timeouts(node: NodeRun) -> tuple[float, float]:
    timeout = node.data.get("timeout") or {}
    limits = node.limits
    connect = min(float(timeout.get("connect") or limits.http_connect_timeout), limits.http_connect_timeout)
    read = min(float(timeout.get("read") or limits.http_read_timeout), limits.http_read_timeout)
    return connect, read


def _read_body(node: NodeRun, response: requests.Response, deadline: float) -> bytes:
    chunks, size = [], 0
    with node.on_cancel(response.close):
        for chunk in response.iter_content(_CHUNK):
            node.checkpoint()
            size += len(chunk)
            if size > node.limits.http_max_response_bytes:
                raise NodeError(f"Response body exceeds {node.limits.http_max_response_bytes} bytes", _ERROR_TYPE)
            if time.monotonic() > deadline:
                raise NodeError("HTTP request timed out while reading the response", _ERROR_TYPE)
            chunks.append(chunk)
    return b"".join(chunks)


def _decode(response: requests.Response, body: bytes) -> str:
    declared = "charset=" in (response.headers.get("Content-Type") or "").lower()
    try:
        return body.decode(response.encoding if declared and response.encoding else "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _describe(request: dict, data: dict) -> dict:
    """The request for process_data, with credentials masked."""
    config = (data.get("authorization") or {}).get("config") or {}
    secret = {"authorization", str(config.get("header") or "authorization").lower()}
    headers = {k: ("***" if k.lower() in secret else v) for k, v in request["headers"].items()}
    return {"method": request["method"], "url": request["url"], "headers": headers, "params": request["params"]}
