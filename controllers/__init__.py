"""HTTP only: parse, authenticate, call one service, marshal (STYLE G6)."""
from flask import Flask

from controllers import console, web


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(web.create_blueprint(app.config))
    app.register_blueprint(console.create_blueprint())
