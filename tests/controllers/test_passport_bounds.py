"""Passports cost no database row until used, and their issue is rate-limited per client address."""
from __future__ import annotations

import threading

import pytest

from api.extensions import db
from models import EndUser
from tests.factories import auth_headers, end_user_id, make_app

pytestmark = pytest.mark.embedded


def _fetch(client, code: str, **kwargs):
    return client.get("/api/passport", headers={"X-App-Code": code, **kwargs.pop("headers", {})}, **kwargs)


def _token(client, code: str, **query) -> str:
    response = _fetch(client, code, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def _end_users(app) -> list[EndUser]:
    with app.app_context():
        return list(db.session.execute(db.select(EndUser)).scalars())


def test_issuing_passports_writes_no_end_user_rows(app, client):
    code = make_app(app)["code"]
    tokens = [_token(client, code) for _ in range(5)]
    assert _end_users(app) == []
    assert client.get("/api/site", headers=auth_headers(code, tokens[0])).status_code == 200
    users = _end_users(app)
    assert [u.id for u in users] == [end_user_id(tokens[0])] and users[0].is_anonymous


def test_parallel_first_uses_leave_one_row(app):
    code = make_app(app)["code"]
    token = _token(app.test_client(), code)
    statuses: list[int] = []

    def first_use():
        statuses.append(app.test_client().get("/api/parameters", headers=auth_headers(code, token)).status_code)

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * 8
    assert [u.id for u in _end_users(app)] == [end_user_id(token)]


def test_user_id_is_stable_before_and_after_first_use(app, client):
    created = make_app(app)
    first, second = _token(client, created["code"], user_id="alice"), _token(client, created["code"], user_id="alice")
    assert end_user_id(first) == end_user_id(second) and _end_users(app) == []
    assert client.get("/api/site", headers=auth_headers(created["code"], second)).status_code == 200
    assert end_user_id(_token(client, created["code"], user_id="alice")) == end_user_id(first)
    assert [(u.id, u.session_id) for u in _end_users(app)] == [(end_user_id(first), "alice")]
    with app.app_context():  # a row made before passports were lazy keeps its id
        db.session.add(EndUser(app_id=created["id"], session_id="bob", type="browser", is_anonymous=True))
        db.session.commit()
        bob = db.session.execute(db.select(EndUser.id).filter_by(session_id="bob")).scalar_one()
    assert end_user_id(_token(client, created["code"], user_id="bob")) == bob


@pytest.mark.parametrize("user_id", ["u" * 256, "a\x00b"])
def test_a_user_id_the_database_cannot_hold_is_a_400(app, client, user_id):
    code = make_app(app)["code"]
    response = _fetch(client, code, query_string={"user_id": user_id})
    body = response.get_json()
    assert response.status_code == 400 and body["code"] == "invalid_param" and body["params"] == "user_id", body
    assert _token(client, code, user_id="u" * 255) and _end_users(app) == []


@pytest.mark.parametrize("app_overrides", [{"PASSPORT_RATE_LIMIT_PER_MINUTE": 3}])
def test_passport_rate_limit_per_address(app, client, app_overrides):
    code = make_app(app)["code"]
    spoofed = {"X-Forwarded-For": "203.0.113.9"}  # not trusted: no proxy is configured
    assert [_fetch(client, code, headers=spoofed).status_code for _ in range(3)] == [200] * 3
    refused = _fetch(client, code, headers={"X-Forwarded-For": "203.0.113.10"})
    body = refused.get_json()
    assert refused.status_code == 429 and body["code"] == "too_many_requests" and body["status"] == 429, body
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    other = _fetch(client, code, environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 200


@pytest.mark.parametrize("app_overrides", [{"PASSPORT_RATE_LIMIT_PER_MINUTE": 2, "TRUSTED_PROXIES": 1}])
def test_rate_limit_keys_on_forwarded_address_behind_a_trusted_proxy(app, client, app_overrides):
    code = make_app(app)["code"]
    first = {"X-Forwarded-For": "198.51.100.1"}
    assert [_fetch(client, code, headers=first).status_code for _ in range(3)] == [200, 200, 429]
    assert _fetch(client, code, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200
