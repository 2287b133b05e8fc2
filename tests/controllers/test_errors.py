"""The error shape for routing errors, bad JSON, CORS and the app-wide headers (spec §0)."""
from __future__ import annotations

import pytest

from tests.factories import make_app

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


def test_cors_preflight_allows_credentials_and_app_headers(app, client):
    make_app(app)
    response = client.options("/api/passport", headers={
        "Origin": "https://chat.example.com", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-App-Code, X-App-Passport, Authorization, X-CSRF-Token"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://chat.example.com"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    for header in ("x-app-code", "x-app-passport", "authorization", "x-csrf-token"):
        assert header in allowed
