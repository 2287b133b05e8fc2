"""Site, parameters, meta and system features (spec §2.5, §1.4)."""
from __future__ import annotations

from flask import current_app, g
from flask_restful import Resource

from controllers.common.api import encode_json, json_bytes_response
from controllers.common.auth import passport_required
from controllers.openapi import bodies
from controllers.openapi.operation import describe
from services import app_info_service
from services.app_cache import app_cache


class SiteResource(Resource):
    method_decorators = [passport_required]

    @describe("The app's site settings", response=bodies.SiteBody)
    def get(self):
        body = app_cache().fetch(("site_body", g.app_model.id),
                                 lambda: app_info_service.site_info(g.app_model, g.site, None))
        return {**body, "end_user_id": g.end_user.id}


class ParametersResource(Resource):
    method_decorators = [passport_required]

    @describe("The app's input form, features and upload limits", response=bodies.ParametersBody)
    def get(self):
        return json_bytes_response(app_cache().fetch(("parameters", g.app_model.id), _encoded_parameters))


def _encoded_parameters() -> bytes:
    limits = app_info_service.system_parameters(current_app.config)
    return encode_json(app_info_service.app_parameters(g.app_model, limits))


class MetaResource(Resource):
    method_decorators = [passport_required]

    @describe("Icons of the tools the app can call", response=bodies.MetaBody)
    def get(self):
        return app_info_service.app_meta(g.app_model)


class SystemFeaturesResource(Resource):
    @describe("Feature flags the front end reads", response=bodies.SystemFeaturesBody)
    def get(self):
        return app_info_service.system_features()
