"""http-request nodes and the outbound guard: header injection, denied targets, redirects, DNS rebinding.

Servers are real loopback servers; 127.0.0.2 plays a public host through an injected guard that
trusts it (``RunContext.http_guard``) and, for rebinding, a scripted resolver.
"""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.support.loopback_http import (
    BYPASS_URLS,
    PUBLIC,
    RecordingServer,
    ScriptedResolver,
    loopback_only,
    servers_on_one_port,
    trusted_guard,
)
from tests.workflow.support import edge, end, graph, node, run, start

# A NUL from an input never reaches a node: node outputs (the start node's too) are cleaned of NUL
# (tests/core/test_text.py); the transport's own NUL refusal is tested in tests/netguard.
INJECTIONS = ["ada\r\nX-Injected: 1", "ada\nX-Injected: 1", "ada\rX-Injected: 1"]


@pytest.fixture(autouse=True)
def _loopback_only():
    with loopback_only():
        yield


def _error_type(result) -> str:
    return next(e["error_type"] for e in result.node_executions if e["node_id"] == "h")


def _http_graph(**data) -> dict:
    request = node("h", "http-request", **{"method": "get", "headers": "", "params": "", "body": {"type": "none"},
                                           "authorization": {"type": "no-auth"}, **data})
    nodes = [start("start", "name"), request, end(status=["h", "status_code"], body=["h", "body"])]
    return graph(nodes, [edge("start", "h"), edge("h", "end")])


def _fields(kind: str) -> dict:
    """Node data putting ``{{#start.name#}}`` in a header (text or list form), the auth key, or a param."""
    value = "{{#start.name#}}"
    return {
        "header_text": {"headers": f"X-Trace: t-{value}\nAccept: */*"},
        "header_list": {"headers": [{"key": "X-Trace", "value": value}]},
        "header_name": {"headers": f"X-{value}: 1"},
        "bearer": {"authorization": {"type": "api-key", "config": {"type": "bearer", "api_key": value}}},
        "custom_auth": {"authorization": {"type": "api-key",
                                          "config": {"type": "custom", "api_key": value, "header": "X-Key"}}},
        "param_text": {"params": f"q:{value}"},
        "param_list": {"params": [{"key": "q", "value": value}]},
    }[kind]


@pytest.mark.parametrize("kind", ["header_text", "header_list", "header_name", "bearer", "custom_auth",
                                  "param_text", "param_list"])
@pytest.mark.parametrize("evil", INJECTIONS)
def test_line_breaks_from_an_input_never_reach_the_upstream(kind, evil):
    with RecordingServer(PUBLIC) as server:
        result, _ = run(_http_graph(url=server.url("/x"), **_fields(kind)), {"name": evil}, http_guard=trusted_guard())
    assert result.status == "failed"
    assert "line breaks (CR, LF) and NUL characters are not allowed" in result.error or \
        "Invalid HTTP header name" in result.error
    assert _error_type(result) == "HttpRequestNodeError"
    assert server.connections == 0


def test_plain_inputs_still_fill_headers_and_params():
    with RecordingServer(PUBLIC) as server:
        result, _ = run(_http_graph(url=server.url("/x"), headers=[{"key": "X-Trace", "value": "t-{{#start.name#}}"}],
                                    params="q:{{#start.name#}}"), {"name": "ada lovelace"}, http_guard=trusted_guard())
    assert result.status == "succeeded", result.error
    seen = server.requests[0]
    assert seen["headers"]["X-Trace"] == "t-ada lovelace" and seen["path"] == "/x?q=ada+lovelace"
    assert "X-Injected" not in seen["headers"]


def test_a_line_break_in_a_form_value_stays_in_that_field():
    body = {"type": "x-www-form-urlencoded", "data": "note:{{#start.name#}}"}
    with RecordingServer(PUBLIC) as server:
        result, _ = run(_http_graph(method="post", url=server.url("/form"), body=body), {"name": "a\nextra:1"},
                        http_guard=trusted_guard())
    assert result.status == "succeeded", result.error
    assert server.requests[0]["body"] == "note=a%0Aextra%3A1"


@pytest.mark.parametrize("form", BYPASS_URLS + ["http://100.64.0.1:{port}/", "http://169.254.169.254:{port}/"])
def test_denied_targets_fail_the_node_without_a_connection(form):
    first, second = servers_on_one_port("127.0.0.1", "::1")
    with first, second:
        result, _ = run(_http_graph(url=form.format(port=first.port)))
    assert result.status == "failed"
    assert _error_type(result) in ("BlockedAddress", "InvalidURLError")
    assert first.connections == 0 and second.connections == 0


def test_redirect_to_loopback_fails_the_node():
    with RecordingServer(PUBLIC) as public, RecordingServer("127.0.0.1") as internal:
        url = public.url("/redirect?to=" + quote(internal.url("/admin"), safe=""))
        result, _ = run(_http_graph(url=url), http_guard=trusted_guard())
    assert result.status == "failed" and "is not allowed" in result.error and "127.0.0.1" in result.error
    assert _error_type(result) == "BlockedAddress"
    assert len(public.requests) == 1 and internal.connections == 0


def test_dns_rebinding_reaches_only_the_checked_address():
    public, internal = servers_on_one_port(PUBLIC, "127.0.0.1")
    resolver = ScriptedResolver([PUBLIC], ["127.0.0.1"])
    graph_ = _http_graph(url=public.url("/data", host="api.rebind.test"))
    with public, internal:
        result, _ = run(graph_, http_guard=trusted_guard(resolver))
    assert result.status == "succeeded", result.error
    assert json.loads(result.outputs["body"])["headers"]["Host"] == f"api.rebind.test:{public.port}"
    assert internal.connections == 0 and len(resolver.calls) == 1
