"""The two console routes every share page needs (spec §6.1)."""
from __future__ import annotations

from flask import Blueprint
from flask_cors import CORS
from flask_restful import Resource

from controllers.common.api import ExternalApi
from services import app_info_service


class ConsoleSystemFeaturesResource(Resource):
    def get(self):
        return app_info_service.system_features()


class SetupResource(Resource):
    def get(self):
        return {"step": "finished", "setup_at": None}


def create_blueprint() -> Blueprint:
    bp = Blueprint("console", __name__, url_prefix="/console/api")
    CORS(bp, supports_credentials=True)
    api = ExternalApi(bp)
    api.add_resource(ConsoleSystemFeaturesResource, "/system-features")
    api.add_resource(SetupResource, "/setup")
    return bp
