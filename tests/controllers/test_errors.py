"""The error shape for routing errors, bad JSON, CORS and the app-wide headers (spec §0)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.embedded


def test_unknown_route_is_json_404(client):
    response = client.get("/api/does-not-exist")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found" and response.get_json()["status"] == 404


def test_wrong_method_is_json_405(client):
    response = client.delete("/api/passport")
    body = response.get_json()
    assert response.status_code == 405 and body["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_version_headers(client):
    response = client.get("/api/system-features")
    assert response.headers["X-Version"] and response.headers["X-Env"] == "TESTING"


def _preflight(client, origin: str):
    return client.options("/api/passport", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-App-Code, X-App-Passport, Authorization, X-CSRF-Token"})


def _assert_app_headers_allowed(response) -> None:
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    for header in ("x-app-code", "x-app-passport", "authorization", "x-csrf-token"):
        assert header in allowed


def test_default_cors_allows_any_origin_without_credentials(app, client):
    response = _preflight(client, "https://chat.example.com")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    _assert_app_headers_allowed(response)
    actual = client.get("/api/passport", headers={"Origin": "https://evil.example", "X-App-Code": "nope"})
    assert actual.headers["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in \
        actual.headers
    assert "x-version" in actual.headers["Access-Control-Expose-Headers"].lower()


LISTED = "https://chat.example.com, https://b.example"


@pytest.mark.parametrize("app_overrides", [{"WEB_API_CORS_ALLOW_ORIGINS": LISTED}])
def test_listed_origins_are_reflected_with_credentials(app, client, app_overrides):
    response = _preflight(client, "https://chat.example.com")
    assert response.headers["Access-Control-Allow-Origin"] == "https://chat.example.com"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    _assert_app_headers_allowed(response)
    other = _preflight(client, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in other.headers
