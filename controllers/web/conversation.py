"""Conversations of the calling end user (spec §2.2)."""
from __future__ import annotations

from typing import Literal
from uuid import UUID

from flask import Response, current_app, g
from flask_restful import Resource
from pydantic import BaseModel

from controllers.common.auth import passport_required
from controllers.common.payload import Limit, OptionalBool, OptionalUUID, id_or_none, json_body, query_args
from controllers.openapi import bodies, links
from controllers.openapi.operation import describe
from services import conversation_service, marshal


class ConversationListQuery(BaseModel):
    last_id: OptionalUUID = None
    limit: Limit = 20
    pinned: OptionalBool = None
    sort_by: Literal["created_at", "-created_at", "updated_at", "-updated_at"] = "-updated_at"


class RenamePayload(BaseModel):
    name: str | None = None
    auto_generate: bool = False


class ConversationListResource(Resource):
    method_decorators = [passport_required]

    @describe("The caller's conversations", query=ConversationListQuery, response=bodies.Page[bodies.Conversation],
              links=links.CONVERSATION_PAGE)
    def get(self):
        conversation_service.require_chat_app(g.app_model.mode)
        args = query_args(ConversationListQuery)
        page = conversation_service.list_conversations(
            g.app_model.id, g.end_user.id, last_id=id_or_none(args.last_id), limit=args.limit, pinned=args.pinned,
            sort_by=args.sort_by)
        return marshal.page_dict(args.limit, page.has_more, [marshal.conversation_dict(c) for c in page.items])


class ConversationResource(Resource):
    method_decorators = [passport_required]

    @describe("Delete a conversation", status=204)
    def delete(self, c_id: UUID):
        conversation_service.require_chat_app(g.app_model.mode)
        conversation_service.delete_conversation(g.app_model.id, g.end_user.id, str(c_id))
        return Response(status=204)


class ConversationRenameResource(Resource):
    method_decorators = [passport_required]

    @describe("Rename a conversation (or name it from its first message)", body=RenamePayload,
              response=bodies.Conversation)
    def post(self, c_id: UUID):
        conversation_service.require_chat_app(g.app_model.mode)
        payload = json_body(RenamePayload)
        conversation = conversation_service.rename_conversation(
            g.app_model, g.end_user.id, str(c_id), payload.name, payload.auto_generate, current_app.config)
        return marshal.conversation_dict(conversation)


class ConversationPinResource(Resource):
    method_decorators = [passport_required]

    @describe("Pin a conversation", response=bodies.ResultSuccess)
    def patch(self, c_id: UUID):
        conversation_service.require_chat_app(g.app_model.mode)
        conversation_service.pin_conversation(g.app_model.id, g.end_user.id, str(c_id))
        return {"result": "success"}


class ConversationUnpinResource(Resource):
    method_decorators = [passport_required]

    @describe("Unpin a conversation", response=bodies.ResultSuccess)
    def patch(self, c_id: UUID):
        conversation_service.require_chat_app(g.app_model.mode)
        conversation_service.unpin_conversation(g.app_model.id, g.end_user.id, str(c_id))
        return {"result": "success"}
