"""The read path of every request: passport, site and parameters served from the app cache.

A warm process answers them without SQL; a change made through the CLI (or any ORM commit) is
visible at the very next request, whatever APP_CACHE_TTL_SECONDS says.
"""
from __future__ import annotations

import pytest

from api.extensions import db
from models import App
from tests.factories import auth_headers, make_app, passport
from tests.support.sql import recorded_sql

pytestmark = pytest.mark.embedded


@pytest.fixture
def app_overrides():
    return {"APP_CACHE_TTL_SECONDS": 3600}  # invalidation, not expiry, must make changes visible


def test_a_warm_process_answers_passport_site_and_parameters_without_sql(app, client):
    code = make_app(app)["code"]
    headers = auth_headers(code, passport(client, code))
    assert client.get("/api/parameters", headers=headers).status_code == 200
    for path, path_headers in (("/api/site", headers), ("/api/parameters", headers),
                               ("/api/passport", {"X-App-Code": code})):
        with recorded_sql(app) as statements:
            assert client.get(path, headers=path_headers).status_code == 200
        assert statements == [], path


@pytest.mark.parametrize("app_overrides", [{"APP_CACHE_TTL_SECONDS": 0}])
def test_without_the_cache_app_and_site_come_in_one_query(app, client, app_overrides):
    code = make_app(app)["code"]
    headers = auth_headers(code, passport(client, code))
    with recorded_sql(app) as statements:
        assert client.get("/api/site", headers=headers).status_code == 200
    assert len(statements) == 2, statements  # site + app joined, then the end user
    with recorded_sql(app) as statements:
        assert client.get("/api/passport", headers={"X-App-Code": code}).status_code == 200
    assert len(statements) == 1, statements


def test_disabling_through_the_cli_is_seen_by_the_next_request(app, client, runner):
    code = make_app(app)["code"]
    headers = auth_headers(code, passport(client, code))
    assert runner.invoke(args=["apps", "disable", code]).exit_code == 0
    response = client.get("/api/site", headers=headers)
    assert response.status_code == 400 and response.get_json()["message"] == "Site is disabled."
    assert client.get("/api/passport", headers={"X-App-Code": code}).status_code == 404
    assert runner.invoke(args=["apps", "enable", code]).exit_code == 0
    assert client.get("/api/site", headers=headers).status_code == 200
    assert client.get("/api/passport", headers={"X-App-Code": code}).status_code == 200


def test_a_changed_config_is_in_the_next_parameters_body(app, client):
    created = make_app(app)
    headers = auth_headers(created["code"], passport(client, created["code"]))
    assert client.get("/api/parameters", headers=headers).get_json()["opening_statement"] == ""
    with app.app_context():
        stored = db.session.get(App, created["id"])
        stored.model_config = {**stored.model_config, "opening_statement": "Hello again"}
        db.session.commit()
    assert client.get("/api/parameters", headers=headers).get_json()["opening_statement"] == "Hello again"


def test_cached_bodies_are_per_app_and_per_end_user(app, client):
    first, second = make_app(app, name="First"), make_app(app, name="Second")
    bodies = []
    for created in (first, first, second):
        headers = auth_headers(created["code"], passport(client, created["code"]))
        bodies.append(client.get("/api/site", headers=headers).get_json())
    assert [b["site"]["title"] for b in bodies] == ["First", "First", "Second"]
    assert [b["app_id"] for b in bodies] == [first["id"], first["id"], second["id"]]
    assert len({b["end_user_id"] for b in bodies}) == 3
