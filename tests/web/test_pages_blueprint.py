"""controllers/pages.py on a bare Flask app: page shells, their headers, and the static files."""
from __future__ import annotations

import pytest
from flask import Flask

from controllers import pages


@pytest.fixture
def client():
    app = Flask("pages_test", static_folder=None)
    app.register_blueprint(pages.create_blueprint())
    return app.test_client()


@pytest.mark.parametrize("kind, script", [("chat", "chat"), ("chatbot", "chat"), ("completion", "completion"),
                                          ("workflow", "workflow")])
def test_each_page_is_a_shell_loading_its_module(client, kind, script):
    response = client.get(f"/{kind}/AbC123")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'<script type="module" src="/static/js/{script}.js"></script>' in html
    assert 'href="/static/css/app.css"' in html and 'data-app-code="AbC123"' in html
    assert ("embedded" in html.split("<body", 1)[1].split(">", 1)[0]) == (kind == "chatbot")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "unsafe" not in policy


def test_the_code_is_escaped_in_the_page(client):
    html = client.get('/chat/"><img src=x onerror=alert(1)>').get_data(as_text=True)
    assert "<img" not in html and 'data-app-code="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in html


@pytest.mark.parametrize("path, mimetype", [("js/client.js", "javascript"), ("js/chat.js", "javascript"),
                                            ("css/app.css", "text/css")])
def test_static_files_are_served_with_their_types(client, path, mimetype):
    response = client.get(f"/static/{path}")
    assert response.status_code == 200 and mimetype in response.mimetype
    response.close()


def test_unknown_pages_and_files_are_404(client):
    assert client.get("/agent/AbC123").status_code == 404
    assert client.get("/static/js/missing.js").status_code == 404
    assert client.get("/static/../controllers/pages.py").status_code == 404


@pytest.mark.parametrize("path", ["/chatbot/AbC123", "/static/js/client.js"])
def test_pages_are_same_origin_frames_only_by_default(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize("setting, ancestors", [
    ("https://shop.example, https://help.example", "frame-ancestors 'self' https://shop.example https://help.example"),
    ("*", "frame-ancestors *"),
])
def test_embedding_origins_are_configurable(client, setting, ancestors):
    client.application.config["WEB_EMBED_ALLOW_ORIGINS"] = setting
    response = client.get("/chatbot/AbC123")
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'") and policy.endswith(ancestors)
    assert "X-Frame-Options" not in response.headers  # it cannot name other origins; frame-ancestors rules
