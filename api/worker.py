"""RQ worker entry (no gevent patching; STYLE G4): `python -m api.worker [--burst] [queue ...]`.

Besides running jobs, the worker process sweeps lost workflow runs every WORKFLOW_SWEEP_INTERVAL seconds
(services/workflow/sweeper.py). A bare `rq worker --url "$REDIS_URL" workflows` runs jobs too, without that sweep.
"""
from __future__ import annotations

import argparse

from rq import Worker

from api.app import create_app
from api.extensions import get_redis
from services.workflow import sweeper


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run an RQ worker for llm-web-api.")
    parser.add_argument("queues", nargs="*", help="queue names (default: WORKFLOW_QUEUE)")
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        queues = args.queues or [app.config["WORKFLOW_QUEUE"]]
        worker = Worker(queues, connection=get_redis(), name=args.name)
        # the sweeper thread lives in this process only: fork copies just the forking thread into the work
        # horse, which makes fresh database connections (jobs/workflow.py) and Redis connections (redis-py)
        sweeper.start(app)
        worker.work(burst=args.burst, logging_level=app.config["LOG_LEVEL"])


if __name__ == "__main__":
    main()
