"""GET /api/openapi.json: the description of this API (public, like the front end's bootstrap routes)."""
from __future__ import annotations

from flask import current_app
from flask_restful import Resource

from controllers.openapi.document import build_document
from controllers.openapi.operation import describe

CACHE_KEY = "openapi_document"


class OpenAPIResource(Resource):
    @describe("This document (OpenAPI 3.1)",
              description="Generated from the models the controllers validate with; SSE responses describe "
                          "each frame's `data:` JSON with `contentSchema`.")
    def get(self):
        app = current_app._get_current_object()
        if CACHE_KEY not in app.extensions:
            app.extensions[CACHE_KEY] = build_document(app.url_map, app.view_functions, app.config["VERSION"])
        return app.extensions[CACHE_KEY]
