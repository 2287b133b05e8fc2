"""The one place where exceptions become {"code", "message", "status"} responses (STYLE G8)."""
from __future__ import annotations

import logging
import re
from typing import Any

import redis
from flask import Flask, Response, jsonify
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from services.errors import AppError

log = logging.getLogger(__name__)

INVALID_JSON_MESSAGE = "Invalid JSON payload received or JSON payload is empty."
INTERNAL_MESSAGE = ("The server encountered an internal error and was unable to complete your request. "
                    "Either the server is overloaded or there is an error in the application.")
# Redis (task state, rate limits, event logs, the workflow queue) unreachable or not answering in time
UNAVAILABLE_ERRORS = (redis.ConnectionError, redis.TimeoutError)
UNAVAILABLE_BODY = {"code": "service_unavailable", "status": 503,
                    "message": "The service is temporarily unavailable. Please try again in a moment."}
RETRY_AFTER_SECONDS = 5


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _validation_body(exc: ValidationError) -> dict[str, Any]:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "body"
    message = first["msg"].removeprefix("Value error, ")
    return {"code": "invalid_param", "message": f"{field}: {message}", "params": field, "status": 400}


def _http_body(exc: HTTPException) -> dict[str, Any]:
    code = exc.code or 500
    message = exc.description or ""
    if code == 400 and "JSON" in message and ("decode" in message or "Failed" in message):
        message = INVALID_JSON_MESSAGE
    if code >= 500:
        message = INTERNAL_MESSAGE
    return {"code": _snake(type(exc).__name__), "message": message, "status": code}


def error_body(exc: BaseException) -> dict[str, Any]:
    """Map any exception to the wire error body."""
    if isinstance(exc, AppError):
        return exc.to_dict()
    if isinstance(exc, ValidationError):
        return _validation_body(exc)
    if isinstance(exc, HTTPException):
        return _http_body(exc)
    if isinstance(exc, ValueError):
        return {"code": "invalid_param", "message": str(exc), "status": 400}
    if isinstance(exc, UNAVAILABLE_ERRORS):
        log.warning("Redis unavailable: %s", exc)
        return dict(UNAVAILABLE_BODY)
    log.exception("unhandled error", exc_info=exc)
    return {"code": "internal_server_error", "message": INTERNAL_MESSAGE, "status": 500}


def error_response(exc: BaseException) -> Response:
    """A JSON response for `exc`, with WWW-Authenticate on every 401."""
    body = error_body(exc)
    response = jsonify(body)
    response.status_code = body["status"]
    if body["status"] == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if body["status"] == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if isinstance(exc, AppError):
        response.headers.update(exc.headers())
    if isinstance(exc, HTTPException) and exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def register_error_handlers(app: Flask) -> None:
    """Route every error raised outside Flask-RESTful resources through `error_response`."""
    app.register_error_handler(Exception, error_response)
