"""Message history, feedback and suggested questions of the calling end user (spec §2.3)."""
from __future__ import annotations

from typing import Literal
from uuid import UUID

from flask import current_app, g
from flask_restful import Resource
from pydantic import BaseModel

from controllers.common.auth import passport_required
from controllers.common.payload import Limit, OptionalUUID, id_or_none, json_body, query_args
from controllers.openapi import bodies, links
from controllers.openapi.operation import describe
from services import conversation_service, marshal, message_service


class MessageListQuery(BaseModel):
    conversation_id: UUID
    first_id: OptionalUUID = None
    limit: Limit = 20


class FeedbackPayload(BaseModel):
    rating: Literal["like", "dislike"] | None = None
    content: str | None = None


class MessageListResource(Resource):
    method_decorators = [passport_required]

    @describe("Messages of a conversation, newest page first", query=MessageListQuery,
              response=bodies.Page[bodies.Message], links=links.MESSAGE_PAGE)
    def get(self):
        conversation_service.require_chat_app(g.app_model.mode)
        args = query_args(MessageListQuery)
        page = message_service.list_messages(g.app_model.id, g.end_user.id, str(args.conversation_id),
                                             first_id=id_or_none(args.first_id), limit=args.limit)
        return marshal.page_dict(args.limit, page.has_more, [marshal.message_dict(m, f) for m, f in page.items])


class MessageFeedbackResource(Resource):
    method_decorators = [passport_required]

    @describe("Rate a message (null rating removes the feedback)", body=FeedbackPayload,
              response=bodies.ResultSuccess)
    def post(self, message_id: UUID):
        payload = json_body(FeedbackPayload)
        message_service.set_feedback(g.app_model.id, g.end_user.id, str(message_id), payload.rating,
                                     payload.content)
        return {"result": "success"}


class SuggestedQuestionsResource(Resource):
    method_decorators = [passport_required]

    @describe("Suggested follow-up questions after an answer", response=bodies.SuggestedQuestionsBody,
              errors=(403,))
    def get(self, message_id: UUID):
        questions = message_service.suggested_questions(g.app_model, g.end_user.id, str(message_id),
                                                        current_app.config)
        return {"data": questions}
