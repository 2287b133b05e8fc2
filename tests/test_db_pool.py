"""Pooled connections: pinged only after sitting idle, so a connection killed meanwhile never reaches a request.

PostgreSQL only (not in the embedded run): the test ends the server processes behind the pool's
connections (pg_terminate_backend).
"""
from __future__ import annotations

import time

import psycopg2
import pytest

from tests.factories import auth_headers, make_app, passport


def _kill_pool_connections(database_url: str) -> int:
    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            return cursor.fetchone()[0]
    finally:
        conn.close()


def _list_after_kill(app, client, backend_settings) -> list[int]:
    code = make_app(app)["code"]
    headers = auth_headers(code, passport(client, code))
    assert client.get("/api/conversations", headers=headers).status_code == 200
    assert _kill_pool_connections(backend_settings["DATABASE_URL"]) >= 1
    time.sleep(0.3)
    return [client.get("/api/conversations", headers=headers).status_code for _ in range(2)]


@pytest.mark.parametrize("app_overrides", [{"DB_PING_AFTER_IDLE_SECONDS": 0.2}])
def test_a_connection_killed_while_idle_is_replaced_before_the_next_request(
        app, client, backend_settings, app_overrides):
    assert _list_after_kill(app, client, backend_settings) == [200, 200]


@pytest.mark.parametrize("app_overrides", [{"DB_PING_AFTER_IDLE_SECONDS": 3600}])
def test_without_the_idle_ping_the_first_request_on_a_dead_connection_fails_once(
        app, client, backend_settings, app_overrides):
    assert _list_after_kill(app, client, backend_settings) == [503, 200]  # a lost connection: 503, Retry-After
