"""`flask ...` as the README types it: run from the checkout with no FLASK_APP exported (.flaskenv finds the app)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

FLASK = Path(sys.executable).with_name("flask")


def test_flask_apps_works_from_the_checkout_without_flask_app(app, backend_settings):  # app: tables emptied after
    env = {key: value for key, value in os.environ.items() if key != "FLASK_APP"}
    env.update({"DATABASE_URL": backend_settings["DATABASE_URL"], "REDIS_URL": backend_settings["REDIS_URL"],
                "INSTANCE_PATH": backend_settings["INSTANCE_PATH"], "LOG_LEVEL": "WARNING"})
    made = subprocess.run([str(FLASK), "apps", "create", "--mode", "chat", "--name", "From the checkout"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    listed = subprocess.run([str(FLASK), "apps", "list"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0 and "From the checkout" in listed.stdout, listed.stderr
