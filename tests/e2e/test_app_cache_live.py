"""The app cache across processes: a `flask apps` command run beside a live server is seen at its next request.

The server keeps cache entries for an hour, so only the version the CLI publishes can make the change
visible; every step also goes through the server's read path a second time, so the cache is warm.
"""
from __future__ import annotations

import os
import subprocess

import pytest
import requests

from tests.support.live_server import REPO_ROOT, LiveServer, server_env

TIMEOUT = (2, 10)
FLASK = REPO_ROOT / ".venv" / "bin" / "flask"


@pytest.fixture(scope="module")
def cached_server(backend_settings, _schema, upstream):
    env = server_env(backend_settings, upstream.base_url, APP_CACHE_TTL_SECONDS=3600, PASSPORT_RATE_LIMIT_PER_MINUTE=0)
    with LiveServer(env) as live:
        yield live.url


def _flask(backend_settings, *args: str) -> None:
    names = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "INSTANCE_PATH")
    env = {**os.environ, "FLASK_APP": "api.app:create_app", "LOG_LEVEL": "WARNING",
           **{name: str(backend_settings[name]) for name in names}}
    done = subprocess.run([str(FLASK), *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def _site(url: str, headers: dict) -> requests.Response:
    return requests.get(f"{url}/api/site", headers=headers, timeout=TIMEOUT)


def test_cli_disable_and_enable_reach_a_running_server_at_once(cached_server, make_code, backend_settings):
    code = make_code()
    token = requests.get(f"{cached_server}/api/passport", headers={"X-App-Code": code}, timeout=TIMEOUT)
    headers = {"X-App-Code": code, "X-App-Passport": token.json()["access_token"]}
    assert [_site(cached_server, headers).status_code for _ in range(2)] == [200, 200]
    _flask(backend_settings, "apps", "disable", code)
    refused = _site(cached_server, headers)
    assert refused.status_code == 400 and refused.json()["message"] == "Site is disabled."
    passport = requests.get(f"{cached_server}/api/passport", headers={"X-App-Code": code}, timeout=TIMEOUT)
    assert passport.status_code == 404
    _flask(backend_settings, "apps", "enable", code)
    assert [_site(cached_server, headers).status_code for _ in range(2)] == [200, 200]


def test_cli_configure_reaches_the_next_chat_of_a_running_server(cached_server, make_code, backend_settings, upstream):
    code = make_code()
    token = requests.get(f"{cached_server}/api/passport", headers={"X-App-Code": code}, timeout=TIMEOUT)
    headers = {"X-App-Code": code, "X-App-Passport": token.json()["access_token"]}
    models = []
    for model in ("first-model", "second-model"):
        _flask(backend_settings, "apps", "configure", code, "--base-url", upstream.base_url, "--model", model)
        answer = requests.post(f"{cached_server}/api/chat-messages", headers=headers, timeout=TIMEOUT,
                               json={"inputs": {}, "query": "hi", "response_mode": "blocking"})
        assert answer.status_code == 200, answer.text
        models.append(upstream.last_request.body["model"])
    assert models == ["first-model", "second-model"]
