"""Passport and the public login-flow routes (spec §1)."""
from __future__ import annotations

from flask import current_app, request
from flask_restful import Resource

from api.extensions import get_redis
from controllers.common.auth import read_passport, synced_cache
from services import passport_service


class PassportResource(Resource):
    def get(self):
        passport_service.limit_issue_rate(get_redis(), request.remote_addr or "unknown",
                                          current_app.config["PASSPORT_RATE_LIMIT_PER_MINUTE"])
        found = passport_service.issuing_site(synced_cache(), request.headers.get("X-App-Code"))
        token = passport_service.issue_passport(current_app.config["SECRET_KEY"], found,
                                                request.args.get("user_id") or None,
                                                current_app.config["PASSPORT_TTL_SECONDS"])
        return {"access_token": token}


class AccessModeResource(Resource):
    def get(self):
        return {"accessMode": "public"}


class LoginStatusResource(Resource):
    def get(self):
        app_code = request.args.get("app_code") or request.headers.get("X-App-Code")
        valid = passport_service.passport_matches_user(
            current_app.config["SECRET_KEY"], read_passport(), app_code, request.args.get("user_id"), synced_cache())
        return {"logged_in": True, "app_logged_in": valid}


class LogoutResource(Resource):
    def post(self):
        response = current_app.make_response(({"result": "success"}, 200))
        response.delete_cookie("webapp_access_token")
        return response
