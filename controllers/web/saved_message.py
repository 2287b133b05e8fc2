"""Saved messages of the calling end user in a completion app (spec §2.4)."""
from __future__ import annotations

from uuid import UUID

from flask import Response, g
from flask_restful import Resource
from pydantic import BaseModel

from controllers.common.auth import passport_required
from controllers.common.payload import Limit, OptionalUUID, id_or_none, json_body, query_args
from controllers.openapi import bodies, links
from controllers.openapi.operation import describe
from services import marshal, saved_message_service


class SavedMessageListQuery(BaseModel):
    last_id: OptionalUUID = None
    limit: Limit = 20


class SaveMessagePayload(BaseModel):
    message_id: UUID


class SavedMessageListResource(Resource):
    method_decorators = [passport_required]

    @describe("The caller's saved messages (completion apps)", query=SavedMessageListQuery,
              response=bodies.Page[bodies.SavedMessage], links=links.SAVED_PAGE)
    def get(self):
        saved_message_service.require_completion_app(g.app_model.mode)
        args = query_args(SavedMessageListQuery)
        page = saved_message_service.list_saved_messages(g.app_model.id, g.end_user.id,
                                                         last_id=id_or_none(args.last_id), limit=args.limit)
        items = [marshal.saved_message_dict(m, f) for m, f in page.items]
        return marshal.page_dict(args.limit, page.has_more, items)

    @describe("Save a message (completion apps)", body=SaveMessagePayload, response=bodies.ResultSuccess)
    def post(self):
        saved_message_service.require_completion_app(g.app_model.mode)
        payload = json_body(SaveMessagePayload)
        saved_message_service.save_message(g.app_model.id, g.end_user.id, str(payload.message_id))
        return {"result": "success"}


class SavedMessageResource(Resource):
    method_decorators = [passport_required]

    @describe("Remove a saved message (completion apps)", status=204)
    def delete(self, message_id: UUID):
        saved_message_service.require_completion_app(g.app_model.mode)
        saved_message_service.delete_saved_message(g.app_model.id, g.end_user.id, str(message_id))
        return Response(status=204)
