"""The application factory (STYLE G1)."""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

from api.cli import register_cli
from api.config import Config
from api.errors import register_error_handlers
from api.extensions import init_extensions
from api.limits import refuse_oversized_body
from controllers import register_blueprints
from services.app_cache import init_app_cache

VERSION = "0.1.0"


def create_app(config: Config | None = None) -> Flask:
    """Build the WSGI app from `config` (default: the environment)."""
    config = config or Config.from_env()
    app = Flask("llm_web_api", instance_path=config.INSTANCE_PATH, static_folder=None)
    app.config.from_mapping(config.flask_mapping())
    app.config["RESTFUL_JSON"] = {"ensure_ascii": False}
    app.config["VERSION"] = VERSION
    logging.basicConfig(level=config.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    init_extensions(app)
    init_app_cache(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    app.before_request(refuse_oversized_body)
    app.after_request(_add_version_headers)
    if config.TRUSTED_PROXIES > 0:
        # only then is X-Forwarded-For the client's address (rate limits key on it)
        n = config.TRUSTED_PROXIES
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    return app


def _add_version_headers(response: Response) -> Response:
    response.headers["X-Version"] = current_app.config["VERSION"]
    response.headers["X-Env"] = current_app.config["DEPLOY_ENV"]
    return response
