"""http-request: one HTTP call with templated URL, headers, params, body and authorization."""
import base64
import time

import requests

from core.workflow.errors import NodeError
from core.workflow.node_api import NodeResult, NodeRun
from core.workflow.nodes import http_guard

_CHUNK = 65536
_ERROR_TYPE = "HttpRequestNodeError"


def run(node: NodeRun) -> NodeResult:
    """Outputs ``status_code``, ``body`` (text), ``headers`` and ``files`` ([]). Raises NodeError."""
    request = build_request(node)
    if not node.ctx.http_allow_private:
        _guard(request["url"])
    connect, read = _timeouts(node)
    with http_guard.session(node.ctx.http_allow_private) as client:
        try:
            verify = node.data.get("ssl_verify", True) is not False
            response = client.request(**request, timeout=(connect, read), stream=True, verify=verify)
            with response:
                body = _read_body(node, response, time.monotonic() + connect + read)
        except http_guard.BlockedAddress as exc:
            raise NodeError(str(exc), "BlockedAddress") from exc
        except requests.RequestException as exc:
            raise NodeError(f"HTTP request failed: {exc}", _ERROR_TYPE) from exc
    outputs = {"status_code": response.status_code, "body": _decode(response, body),
               "headers": dict(response.headers), "files": []}
    return NodeResult(outputs=outputs, process_data={"request": _describe(request, node.data)})


def build_request(node: NodeRun) -> dict:
    """Keyword arguments for ``requests.Session.request`` from the node's data (templates rendered)."""
    data = node.data
    headers = dict(parse_pairs(node.render(data.get("headers"))))
    headers.update(_auth_headers(node, data.get("authorization") or {}))
    request = {"method": str(data.get("method") or "get").upper(), "url": node.render(data.get("url")).strip(),
               "headers": headers, "params": parse_pairs(node.render(data.get("params")))}
    request.update(_body(node, data.get("body") or {}, headers))
    return request


def parse_pairs(text: str) -> list[tuple[str, str]]:
    """``"k:v\\nk2:v2"`` lines as (key, value) pairs (split at the first colon; blank keys skipped)."""
    pairs = []
    for line in (text or "").splitlines():
        key, _, value = line.partition(":")
        if key.strip():
            pairs.append((key.strip(), value.strip()))
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
    if not isinstance(raw, list):
        return parse_pairs(node.render(raw or ""))
    pairs = []
    for item in raw:
        if isinstance(item, dict) and item.get("key"):
            if item.get("type") == "file":
                raise NodeError("File fields are not supported in HTTP request bodies", _ERROR_TYPE)
            pairs.append((node.render(item["key"]), node.render(str(item.get("value") or ""))))
    return pairs


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


def _guard(url: str) -> None:
    try:
        http_guard.check_url(url)
    except http_guard.BlockedAddress as exc:
        raise NodeError(str(exc), "BlockedAddress") from exc
    except ValueError as exc:
        raise NodeError(str(exc), _ERROR_TYPE) from exc


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
