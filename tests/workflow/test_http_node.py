"""http-request against a loopback server: request building, auth, bodies, the private-address guard."""
import json

import pytest

from core.workflow import Limits
from tests.workflow.support import edge, end, graph, node, run, start


def _http_graph(**data) -> dict:
    request = node("h", "http-request", **{"method": "get", "headers": "", "params": "", "body": {"type": "none"},
                                           "authorization": {"type": "no-auth"}, **data})
    nodes = [start("start", "name"), request,
             end(status=["h", "status_code"], body=["h", "body"], headers=["h", "headers"])]
    return graph(nodes, [edge("start", "h"), edge("h", "end")])


def test_get_with_templated_url_params_headers_and_bearer(http_server):
    base, received = http_server
    graph_ = _http_graph(url=base + "/hello/{{#start.name#}}", params="q:{{#start.name#}}\nlimit: 5",
                         headers="X-Trace: t-{{#start.name#}}",
                         authorization={"type": "api-key", "config": {"type": "bearer", "api_key": "sk-1"}})

    result, events = run(graph_, {"name": "ada"}, http_allow_private=True)

    assert result.status == "succeeded", result.error
    assert result.outputs["status"] == 200
    sent = json.loads(result.outputs["body"])
    assert sent["path"] == "/hello/ada?q=ada&limit=5"
    assert sent["headers"]["X-Trace"] == "t-ada" and sent["headers"]["Authorization"] == "Bearer sk-1"
    assert result.outputs["headers"]["Content-Type"] == "application/json"
    assert events.finished("h")["process_data"]["request"]["headers"]["Authorization"] == "***"


@pytest.mark.parametrize("body, content_type, expected", [
    ({"type": "json", "data": '{"name": "{{#start.name#}}"}'}, "application/json", '{"name": "ada"}'),
    ({"type": "raw-text", "data": [{"type": "text", "value": "hi {{#start.name#}}"}]}, None, "hi ada"),
    ({"type": "x-www-form-urlencoded", "data": "a:1\nwho:{{#start.name#}}"}, "application/x-www-form-urlencoded",
     "a=1&who=ada"),
])
def test_post_bodies(http_server, body, content_type, expected):
    base, received = http_server

    result, _ = run(_http_graph(method="post", url=base + "/post", body=body), {"name": "ada"}, http_allow_private=True)

    assert result.status == "succeeded", result.error
    assert received[0]["body"] == expected and received[0]["method"] == "POST"
    if content_type:
        assert received[0]["headers"]["Content-Type"] == content_type


def test_multipart_form_and_custom_auth_header(http_server):
    base, received = http_server
    body = {"type": "form-data", "data": [{"key": "field", "type": "text", "value": "v-{{#start.name#}}"}]}
    auth = {"type": "api-key", "config": {"type": "custom", "header": "X-Api-Key", "api_key": "k"}}

    result, _ = run(_http_graph(method="post", url=base + "/form", body=body, authorization=auth), {"name": "ada"},
                    http_allow_private=True)

    assert result.status == "succeeded", result.error
    assert 'name="field"' in received[0]["body"] and "v-ada" in received[0]["body"]
    assert received[0]["headers"]["X-Api-Key"] == "k"


def test_http_error_status_is_an_output_not_a_failure(http_server):
    base, _ = http_server
    result, _ = run(_http_graph(url=base + "/missing"), http_allow_private=True)
    assert result.status == "succeeded" and result.outputs["status"] == 404


@pytest.mark.parametrize("url", ["{base}/x", "http://localhost:{port}/x", "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]:{port}/x", "http://10.0.0.1/x"])
def test_private_targets_are_refused_by_default(http_server, url):
    base, received = http_server
    port = base.rsplit(":", 1)[1]

    result, events = run(_http_graph(url=url.format(base=base, port=port)))

    assert result.status == "failed" and "is not allowed" in result.error
    assert events.finished("h")["status"] == "failed" and received == []


def test_read_timeout_fails_the_node(http_server):
    base, _ = http_server
    result, _ = run(_http_graph(url=base + "/slow", timeout={"read": 0.2}), http_allow_private=True)
    assert result.status == "failed" and "HTTP request failed" in result.error


def test_response_size_limit(http_server):
    base, _ = http_server
    result, _ = run(_http_graph(url=base + "/big"), http_allow_private=True,
                    limits=Limits(http_max_response_bytes=10))
    assert result.status == "failed" and "exceeds 10 bytes" in result.error


def test_unsupported_scheme_is_a_clear_error():
    result, _ = run(_http_graph(url="file:///etc/passwd"))
    assert result.status == "failed" and "only http and https" in result.error
