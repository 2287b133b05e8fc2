"""Serving entry point: gevent patching first, then the app (STYLE G4).

gunicorn -k gevent -c deploy/gunicorn.conf.py api.wsgi:app
"""
from gevent import monkey

monkey.patch_all()

from psycogreen.gevent import patch_psycopg  # noqa: E402 - must follow patching

patch_psycopg()

from api.app import create_app  # noqa: E402
from services.workflow import sweeper  # noqa: E402

app = create_app()
sweeper.start(app)  # each gunicorn worker sweeps lost workflow runs (a Redis lock: one scan per interval)
