"""The migrations build the schema on an empty PostgreSQL database and remove it again."""
from __future__ import annotations

import psycopg2
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from api.extensions import db
from models import Base
from tests.conftest import PG_SERVER, build_app


def _fresh_database(name: str) -> str:
    conn = psycopg2.connect(f"{PG_SERVER}/test")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return f"{PG_SERVER}/{name}"


def test_upgrade_then_downgrade_base(backend_settings):
    app = build_app(backend_settings, DATABASE_URL=_fresh_database("llm_web_api_migrations"))
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
