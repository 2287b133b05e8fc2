"""Passport and the public login-flow routes (spec §1)."""
from __future__ import annotations

from flask import current_app, request
from flask_restful import Resource
from pydantic import BaseModel, Field

from api.extensions import get_redis
from controllers.common.auth import read_passport, synced_cache
from controllers.common.payload import query_args
from controllers.openapi import bodies
from controllers.openapi.operation import Header, describe
from services import passport_service

APP_CODE = Header("X-App-Code", "The app's site code (last segment of its web app URL).")


class PassportQuery(BaseModel):
    user_id: str | None = Field(None, max_length=255, description="A stable end-user id (at most 255 characters).")


class AccessModeQuery(BaseModel):
    appCode: str | None = None
    appId: str | None = None


class LoginStatusQuery(BaseModel):
    app_code: str | None = None
    user_id: str | None = None


class PassportResource(Resource):
    @describe("Issue a passport for an end user of the app", query=PassportQuery, response=bodies.PassportBody,
              headers=(Header(APP_CODE.name, APP_CODE.description, required=True),), errors=(401, 404),
              description="With `user_id`, the end user with that session id (created on first use); "
                          "without it, a new anonymous end user.")
    def get(self):
        passport_service.limit_issue_rate(get_redis(), request.remote_addr or "unknown",
                                          current_app.config["PASSPORT_RATE_LIMIT_PER_MINUTE"])
        args = query_args(PassportQuery)
        found = passport_service.issuing_site(synced_cache(), request.headers.get("X-App-Code"))
        token = passport_service.issue_passport(current_app.config["SECRET_KEY"], found, args.user_id or None,
                                                current_app.config["PASSPORT_TTL_SECONDS"])
        return {"access_token": token}


class AccessModeResource(Resource):
    @describe("The app's access mode (always public here)", query=AccessModeQuery, response=bodies.AccessModeBody)
    def get(self):
        return {"accessMode": "public"}


class LoginStatusResource(Resource):
    @describe("Whether the sent passport belongs to the app (and user)", query=LoginStatusQuery,
              headers=(APP_CODE,), response=bodies.LoginStatusBody)
    def get(self):
        args = query_args(LoginStatusQuery)
        valid = passport_service.passport_matches_user(
            current_app.config["SECRET_KEY"], read_passport(), args.app_code or request.headers.get("X-App-Code"),
            args.user_id, synced_cache())
        return {"logged_in": True, "app_logged_in": valid}


class LogoutResource(Resource):
    @describe("Log out (clears the web-app access cookie)", response=bodies.ResultSuccess)
    def post(self):
        response = current_app.make_response(({"result": "success"}, 200))
        response.delete_cookie("webapp_access_token")
        return response
