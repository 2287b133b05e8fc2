"""Where the ids in an answer lead: the OpenAPI links of the run and list routes.

Targets are operationIds as document.py derives them (method + path words, `{x}` read as `by_x`).
"""
from __future__ import annotations

from controllers.openapi.operation import Link


def _path(name: str, operation_id: str, param: str, pointer: str) -> Link:
    return Link(name, operation_id, ((f"path.{param}", f"$response.body#{pointer}"),))


def _message_links(pointer: str) -> tuple[Link, ...]:
    return (_path("Feedback", "post_messages_by_message_id_feedbacks", "message_id", pointer),
            _path("SuggestedQuestions", "get_messages_by_message_id_suggested_questions", "message_id", pointer))


def _conversation_links(pointer: str) -> tuple[Link, ...]:
    return (Link("Messages", "get_messages", (("query.conversation_id", f"$response.body#{pointer}"),)),
            _path("Rename", "post_conversations_by_c_id_name", "c_id", pointer),
            _path("Pin", "patch_conversations_by_c_id_pin", "c_id", pointer),
            _path("Unpin", "patch_conversations_by_c_id_unpin", "c_id", pointer),
            _path("Delete", "delete_conversations_by_c_id", "c_id", pointer))


CHAT_TURN = (*_conversation_links("/conversation_id"), *_message_links("/id"),
             _path("Stop", "post_chat_messages_by_task_id_stop", "task_id", "/task_id"),
             _path("Replay", "get_chat_messages_by_task_id_events", "task_id", "/task_id"))
COMPLETION = (*_message_links("/id"),
              _path("MoreLikeThis", "get_messages_by_message_id_more_like_this", "message_id", "/id"),
              Link("Save", "post_saved_messages", request_body={"message_id": "$response.body#/id"}),
              _path("Stop", "post_completion_messages_by_task_id_stop", "task_id", "/task_id"),
              _path("Replay", "get_chat_messages_by_task_id_events", "task_id", "/task_id"))
WORKFLOW_RUN = (_path("Stop", "post_workflows_tasks_by_task_id_stop", "task_id", "/task_id"),
                _path("Replay", "get_workflow_by_task_id_events", "task_id", "/task_id"))
CONVERSATION_PAGE = _conversation_links("/data/0/id")
MESSAGE_PAGE = _message_links("/data/0/id")
SAVED_PAGE = (_path("Unsave", "delete_saved_messages_by_message_id", "message_id", "/data/0/id"),)
