"""The /api blueprint: the end-user Web API."""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_cors import CORS

from controllers.common.api import ExternalApi
from controllers.web import app_info, conversation, generation, message, openapi, passport, saved_message, workflow

CORS_HEADERS = ["Content-Type", "X-App-Code", "X-App-Passport", "Authorization", "X-CSRF-Token", "Last-Event-ID"]
CORS_METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"]
CORS_EXPOSED = ["X-Version", "X-Env", "X-Trace-Id", "Retry-After"]


def create_blueprint(config: Any) -> Blueprint:
    """Build the web blueprint with its resources and CORS policy (spec §0)."""
    bp = Blueprint("web", __name__, url_prefix="/api")
    _add_cors(bp, config["WEB_API_CORS_ALLOW_ORIGINS"])
    api = ExternalApi(bp)
    api.add_resource(passport.PassportResource, "/passport")
    api.add_resource(passport.AccessModeResource, "/webapp/access-mode")
    api.add_resource(passport.LoginStatusResource, "/login/status")
    api.add_resource(passport.LogoutResource, "/logout")
    api.add_resource(app_info.SiteResource, "/site")
    api.add_resource(app_info.ParametersResource, "/parameters")
    api.add_resource(app_info.MetaResource, "/meta")
    api.add_resource(app_info.SystemFeaturesResource, "/system-features")
    api.add_resource(generation.CompletionMessagesResource, "/completion-messages")
    api.add_resource(generation.CompletionStopResource, "/completion-messages/<string:task_id>/stop")
    api.add_resource(generation.ChatMessagesResource, "/chat-messages")
    api.add_resource(generation.ChatStopResource, "/chat-messages/<string:task_id>/stop")
    api.add_resource(generation.ChatEventsResource, "/chat-messages/<string:task_id>/events")
    api.add_resource(workflow.WorkflowRunResource, "/workflows/run")
    api.add_resource(workflow.WorkflowStopResource, "/workflows/tasks/<string:task_id>/stop")
    api.add_resource(workflow.WorkflowEventsResource, "/workflow/<string:task_id>/events")
    api.add_resource(generation.MoreLikeThisResource, "/messages/<uuid:message_id>/more-like-this")
    api.add_resource(conversation.ConversationListResource, "/conversations")
    api.add_resource(conversation.ConversationResource, "/conversations/<uuid:c_id>")
    api.add_resource(conversation.ConversationRenameResource, "/conversations/<uuid:c_id>/name")
    api.add_resource(conversation.ConversationPinResource, "/conversations/<uuid:c_id>/pin")
    api.add_resource(conversation.ConversationUnpinResource, "/conversations/<uuid:c_id>/unpin")
    api.add_resource(message.MessageListResource, "/messages")
    api.add_resource(message.MessageFeedbackResource, "/messages/<uuid:message_id>/feedbacks")
    api.add_resource(message.SuggestedQuestionsResource, "/messages/<uuid:message_id>/suggested-questions")
    api.add_resource(saved_message.SavedMessageListResource, "/saved-messages")
    api.add_resource(saved_message.SavedMessageResource, "/saved-messages/<uuid:message_id>")
    api.add_resource(openapi.OpenAPIResource, "/openapi.json")
    return bp


def _add_cors(bp: Blueprint, setting: str) -> None:
    """CORS for `setting` (comma-separated origins, or "*").

    "*" answers `Access-Control-Allow-Origin: *` without credentials: the passport travels in headers, so any
    site may call the API but none rides on a browser's cookies. Listed origins are reflected with credentials.
    """
    origins = [o.strip() for o in setting.split(",") if o.strip()]
    is_wildcard = "*" in origins
    CORS(bp, resources={r"/*": {"origins": "*" if is_wildcard else origins}}, supports_credentials=not is_wildcard,
         send_wildcard=is_wildcard, allow_headers=CORS_HEADERS, methods=CORS_METHODS, expose_headers=CORS_EXPOSED)
