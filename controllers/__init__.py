"""HTTP only: parse, authenticate, call one service, marshal (STYLE G6)."""
from flask import Flask
from flask_sock import Sock

from controllers import console, pages, web
from controllers.web.ws import websocket_handler

sock = Sock()


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(web.create_blueprint(app.config))
    app.register_blueprint(console.create_blueprint())
    app.register_blueprint(pages.create_blueprint())
    sock.init_app(app)
    sock.route("/api/ws", endpoint="web_ws")(websocket_handler)
