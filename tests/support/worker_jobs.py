"""RQ jobs the worker tests enqueue on a real `python -m api.worker` (importable by the worker: cwd is the repo)."""
from __future__ import annotations

import os
import sys

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.extensions import db


def leave_the_session_broken() -> int:
    """Leave a failed transaction and a mark on the session, as a buggy job would; the worker's pid."""
    db.session.info["left_by"] = "the previous job"
    try:
        db.session.execute(text("SELECT 1 / 0"))
    except DBAPIError:
        pass  # deliberately no rollback
    return os.getpid()


def session_state() -> dict:
    """What this job's session looks like (usable? another job's mark?), and whether the engine was loaded."""
    return {"select": db.session.execute(text("SELECT 1")).scalar(), "inherited": "left_by" in db.session.info,
            "pid": os.getpid(), "engine_loaded": "core.workflow.engine" in sys.modules}
