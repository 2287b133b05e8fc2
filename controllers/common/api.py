"""Flask-RESTful Api whose errors go through the app's single error renderer."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app
from flask_restful import Api

from api.errors import error_response


class ExternalApi(Api):
    """Renders every error raised inside a resource as {"code", "message", "status"}."""

    def handle_error(self, e: Exception):  # noqa: D102 - Flask-RESTful hook
        return error_response(e)


def json_bytes_response(body: bytes, status: int = 200) -> Response:
    """An already encoded JSON body (see `encode_json`) as the response."""
    return Response(body, status=status, mimetype="application/json")


def encode_json(data: Any) -> bytes:
    """`data` encoded exactly as Flask-RESTful's JSON representation does (RESTFUL_JSON settings)."""
    return (json.dumps(data, **current_app.config.get("RESTFUL_JSON", {})) + "\n").encode()
