"""Passport issue and validation: every error path of spec §1, with its status and code."""
from __future__ import annotations

import time

import jwt
import pytest

from api.extensions import db
from models import App, EndUser, Site
from tests.factories import auth_headers, end_user_id, make_app, passport

pytestmark = pytest.mark.embedded


def _error(response, status: int, code: str, message: str | None = None) -> dict:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["code"] == code and body["status"] == status, body
    if message is not None:
        assert body["message"] == message
    return body


def test_passport_is_hs256_jwt_bound_to_app_and_new_end_user(app, client):
    created = make_app(app)
    token = passport(client, created["code"])
    claims = jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"])
    assert claims["app_id"] == created["id"] and claims["app_code"] == created["code"]
    assert claims["sub"] == "Web API Passport" and "exp" not in claims
    with app.app_context():
        user = db.session.get(EndUser, claims["end_user_id"])
        assert user.app_id == created["id"] and user.is_anonymous and user.type == "browser"


def test_each_call_without_user_id_creates_a_new_end_user(app, client):
    code = make_app(app)["code"]
    first, second = (jwt.decode(passport(client, code), options={"verify_signature": False}) for _ in range(2))
    assert first["end_user_id"] != second["end_user_id"]


def test_user_id_keeps_a_stable_end_user(app, client):
    code = make_app(app)["code"]
    tokens = [passport(client, code, user_id="alice") for _ in range(2)]
    ids = {jwt.decode(t, options={"verify_signature": False})["end_user_id"] for t in tokens}
    assert len(ids) == 1
    with app.app_context():
        assert db.session.get(EndUser, ids.pop()).session_id == "alice"


def test_missing_app_code(client):
    _error(client.get("/api/passport"), 401, "unauthorized", "X-App-Code header is missing.")


def test_unknown_app_code(client):
    _error(client.get("/api/passport", headers={"X-App-Code": "nope"}), 404, "not_found")


def test_disabled_site_refuses_passport_and_calls(app, client, runner):
    code = make_app(app)["code"]
    token = passport(client, code)
    assert runner.invoke(args=["apps", "disable", code]).exit_code == 0
    _error(client.get("/api/passport", headers={"X-App-Code": code}), 404, "not_found")
    _error(client.get("/api/site", headers=auth_headers(code, token)), 400, "bad_request", "Site is disabled.")


def test_missing_token(app, client):
    code = make_app(app)["code"]
    response = client.get("/api/site", headers={"X-App-Code": code})
    _error(response, 401, "unauthorized", "App token is missing.")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("mangle, message", [
    (lambda t: "not-a-jwt", "Invalid token."),
    (lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"), "Invalid token signature."),
])
def test_bad_and_tampered_tokens(app, client, mangle, message):
    code = make_app(app)["code"]
    token = mangle(passport(client, code))
    _error(client.get("/api/site", headers=auth_headers(code, token)), 401, "unauthorized", message)


def test_tampered_claims_are_rejected(app, client):
    code = make_app(app)["code"]
    header, payload, signature = passport(client, code).split(".")
    forged = jwt.encode({"app_id": "x", "end_user_id": "y"}, "k" * 64, algorithm="HS256").split(".")[1]
    token = ".".join([header, forged, signature])
    _error(client.get("/api/site", headers=auth_headers(code, token)), 401, "unauthorized",
           "Invalid token signature.")


def test_wrong_algorithm_is_rejected(app, client):
    code = make_app(app)["code"]
    claims = jwt.decode(passport(client, code), options={"verify_signature": False})
    for token in (jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS512"),
                  jwt.encode(claims, None, algorithm="none")):
        _error(client.get("/api/site", headers=auth_headers(code, token)), 401, "unauthorized", "Invalid token.")


@pytest.mark.parametrize("app_overrides", [{"PASSPORT_TTL_SECONDS": 1}])
def test_expired_token(app, client, app_overrides):
    code = make_app(app)["code"]
    token = passport(client, code)
    assert jwt.decode(token, options={"verify_signature": False})["exp"] <= time.time() + 1
    assert client.get("/api/site", headers=auth_headers(code, token)).status_code == 200
    time.sleep(2.1)
    _error(client.get("/api/site", headers=auth_headers(code, token)), 401, "unauthorized", "Token has expired.")


def test_token_of_another_app_is_refused(app, client):
    first, second = make_app(app, name="A")["code"], make_app(app, name="B")["code"]
    token = passport(client, first)
    _error(client.get("/api/site", headers=auth_headers(second, token)), 401, "unauthorized",
           "The passport was issued for another app.")


def test_deleted_end_user_comes_back_with_the_same_id_at_the_next_call(app, client):
    created = make_app(app)
    token = passport(client, created["code"], user_id="carol")
    with app.app_context():
        db.session.execute(db.delete(EndUser))
        db.session.commit()
    assert client.get("/api/site", headers=auth_headers(created["code"], token)).status_code == 200
    with app.app_context():
        user = db.session.get(EndUser, end_user_id(token))
        assert (user.app_id, user.session_id) == (created["id"], "carol")


def test_passport_from_another_app_cannot_claim_an_end_user(app, client):
    first, second = make_app(app, name="A"), make_app(app, name="B")
    victim = end_user_id(passport(client, first["code"]))
    forged = jwt.encode({"app_id": second["id"], "app_code": second["code"], "end_user_id": victim,
                         "session_id": "x"}, app.config["SECRET_KEY"], algorithm="HS256")
    _error(client.get("/api/site", headers=auth_headers(second["code"], forged)), 404, "not_found")


def test_deleted_app_and_vanished_site(app, client):
    created = make_app(app)
    token = passport(client, created["code"])
    with app.app_context():
        db.session.get(Site, db.session.execute(db.select(Site.id)).scalar()).code = "renamed"
        db.session.commit()
    _error(client.get("/api/site", headers={"X-App-Passport": token}), 400, "bad_request",
           "Site URL is no longer valid.")
    with app.app_context():
        db.session.delete(db.session.get(App, created["id"]))
        db.session.commit()
    _error(client.get("/api/site", headers={"X-App-Passport": token}), 404, "not_found")


def test_passport_accepted_from_bearer_and_cookie(app, client):
    code = make_app(app)["code"]
    token = passport(client, code)
    bearer = client.get("/api/site", headers={"X-App-Code": code, "Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200
    client.set_cookie(f"passport-{code}", token)
    assert client.get("/api/site", headers={"X-App-Code": code}).status_code == 200


def test_login_status_reflects_passport_and_user_id(app, client):
    code = make_app(app)["code"]
    token = passport(client, code, user_id="bob")
    status = client.get("/api/login/status", query_string={"app_code": code}).get_json()
    assert status == {"logged_in": True, "app_logged_in": False}
    headers = auth_headers(code, token)
    ok = client.get("/api/login/status", query_string={"app_code": code, "user_id": "bob"}, headers=headers)
    assert ok.get_json()["app_logged_in"] is True
    other = client.get("/api/login/status", query_string={"app_code": code, "user_id": "eve"}, headers=headers)
    assert other.get_json()["app_logged_in"] is False


def test_a_user_id_longer_than_a_session_id_is_a_400_not_a_500(app, client):
    """Found by fuzzing: a 256+ character user_id overflowed end_users.session_id (a 500)."""
    code = make_app(app)["code"]
    response = client.get("/api/passport", headers={"X-App-Code": code}, query_string={"user_id": "u" * 256})
    assert _error(response, 400, "invalid_param")["params"] == "user_id"
    assert passport(client, code, user_id="u" * 255) == passport(client, code, user_id="u" * 255)
