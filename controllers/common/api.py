"""Flask-RESTful Api whose errors go through the app's single error renderer."""
from __future__ import annotations

from flask_restful import Api

from api.errors import error_response


class ExternalApi(Api):
    """Renders every error raised inside a resource as {"code", "message", "status"}."""

    def handle_error(self, e: Exception):  # noqa: D102 - Flask-RESTful hook
        return error_response(e)
