"""PostgreSQL queries yield to the gevent loop under api.wsgi's patching (psycogreen), and stall it without."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.live_server import REPO_ROOT

# Runs in a fresh interpreter: one greenlet sleeps in PostgreSQL, another counts 20 ms loop ticks meanwhile.
PROBE = """
import json, os, time

if os.environ.get("PROBE_WITHOUT_PSYCOGREEN") == "1":
    from gevent import monkey
    monkey.patch_all()
    from api.app import create_app
    app = create_app()
else:
    from api.wsgi import app

import gevent
import gevent.event
import sqlalchemy as sa
from api.extensions import db

started, done, result = gevent.event.Event(), gevent.event.Event(), {"ticks": 0}


def query():
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # connect first: only the sleep is measured
        started.set()
        begin = time.monotonic()
        db.session.execute(sa.text("SELECT pg_sleep(1)"))
        result["query_seconds"] = time.monotonic() - begin
        db.session.rollback()
    done.set()


def tick():
    started.wait(10)
    while not done.is_set():
        gevent.sleep(0.02)
        result["ticks"] += 1


gevent.joinall([gevent.spawn(query), gevent.spawn(tick)], timeout=15, raise_error=True)
print(json.dumps(result))
"""


def run_probe(backend_settings, tmp_path, without_psycogreen: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update({k: str(backend_settings[k]) for k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "INSTANCE_PATH")})
    env.update(LOG_LEVEL="WARNING", PYTHONPATH=str(REPO_ROOT),
               PROBE_WITHOUT_PSYCOGREEN="1" if without_psycogreen else "0")
    script = tmp_path / "gevent_db_probe.py"
    script.write_text(PROBE)
    # subprocess.run kills the child on timeout or on any exception while waiting.
    done = subprocess.run([sys.executable, str(script)], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_pg_sleep_lets_other_greenlets_run_under_api_wsgi(backend_settings, _schema, tmp_path):
    result = run_probe(backend_settings, tmp_path, without_psycogreen=False)
    assert result["query_seconds"] >= 0.95
    assert result["ticks"] >= 30, result


def test_without_psycogreen_the_same_query_stalls_the_loop(backend_settings, _schema, tmp_path):
    result = run_probe(backend_settings, tmp_path, without_psycogreen=True)
    assert result["query_seconds"] >= 0.95
    assert result["ticks"] <= 5, result
