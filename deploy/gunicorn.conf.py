"""gunicorn settings for production and `make run` (environment variables override)."""
import os

bind = os.environ.get("BIND", "127.0.0.1:5001")
# gevent, with gunicorn's own 400/414/431 answers as JSON {"code", "message", "status"}
worker_class = "api.gunicorn_worker.JsonErrorGeventWorker"
workers = int(os.environ.get("SERVER_WORKER_AMOUNT", "1"))
worker_connections = int(os.environ.get("SERVER_WORKER_CONNECTIONS", "1000"))
# Long-lived SSE responses: a worker must not be killed while it streams.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "360"))
# On SIGTERM the worker ends its streams itself (api.graceful), well within this.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def post_worker_init(worker):
    """On SIGTERM, end every stream of this worker with a terminal frame (api.graceful)."""
    from api import graceful  # imported in the worker, after gevent patching

    graceful.install(worker)


def worker_exit(server, worker):
    """Before the worker process ends, let its runs save and log their last events (bounded)."""
    if getattr(worker, "wsgi", None) is None:  # the arbiter (a worker it found gone), or the app failed to load
        return
    from api import graceful

    graceful.drain(worker)
