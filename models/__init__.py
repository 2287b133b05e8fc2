"""Every model module, imported so Alembic's autogenerate sees all tables (STYLE G10)."""
from models.app import APP_MODES, CHAT_MODES, WORKFLOW_MODES, App, Site
from models.base import Base, new_id, to_timestamp, utcnow
from models.conversation import Conversation, Message, MessageFeedback, PinnedConversation, SavedMessage
from models.end_user import EndUser, Session
from models.file import UploadFile
from models.workflow import WorkflowNodeExecution, WorkflowRun

__all__ = [
    "APP_MODES", "CHAT_MODES", "WORKFLOW_MODES", "App", "Base", "Conversation", "EndUser", "Message",
    "MessageFeedback", "PinnedConversation", "SavedMessage", "Session", "Site", "UploadFile",
    "WorkflowNodeExecution", "WorkflowRun", "new_id", "to_timestamp", "utcnow",
]
