"""The gunicorn worker class: gevent, with gunicorn's own error answers as the API's JSON error body.

gunicorn answers requests it cannot parse (400 bad request line or header, 414 request line too long,
431 header fields too large, ...) itself, before the app sees them, with an HTML page. Its one writer of
those pages is `gunicorn.util.write_error`, called by `Worker.handle_error` after it has chosen the status
and logged the request; the worker swaps that writer for `write_json_error` once per process, so status,
logging and the access log stay gunicorn's and only the body changes.

Deliberately imports nothing of the app: the arbiter loads this module before gevent patches the worker.
"""
from __future__ import annotations

import json
import re

from gunicorn import util
from gunicorn.workers.ggevent import GeventWorker

SERVER_ERROR_MESSAGE = "The server encountered an internal error and was unable to complete your request."


def error_payload(status: int, reason: str, message: str) -> bytes:
    """`{"code", "message", "status"}`: the code is the reason phrase in snake_case, as for werkzeug errors."""
    code = re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_")
    text = message if status < 500 and message else (SERVER_ERROR_MESSAGE if status >= 500 else reason)
    return json.dumps({"code": code, "message": text, "status": status}).encode()


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Drop-in for `gunicorn.util.write_error`: the same status line and Connection: close, a JSON body."""
    body = error_payload(int(status_int), reason, mesg)
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin1") + body)


class JsonErrorGeventWorker(GeventWorker):
    """gunicorn's gevent worker whose own error answers are JSON (see the module docstring)."""

    def init_process(self) -> None:
        util.write_error = write_json_error
        super().init_process()
