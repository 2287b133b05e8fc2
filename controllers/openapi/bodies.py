"""JSON response bodies of /api as pydantic models (spec §0-§2, §4); the document's source of truth.

The dicts the services build (services/marshal.py, app_info_service, the run envelopes) must match
these; the schemathesis run against a live server checks every answer it sees against them.
"""
from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class WireModel(BaseModel):
    """A body whose keys are all known: extra keys are a contract violation."""

    model_config = ConfigDict(extra="forbid")


class ErrorBody(WireModel):
    """Every error: `status` equals the HTTP status; `params` names the invalid field of a 400."""

    code: str
    message: str
    status: int
    params: str | None = None


class ResultSuccess(WireModel):
    result: Literal["success"]


class PassportBody(WireModel):
    access_token: str = Field(description="The passport (HS256 JWT) to send as X-App-Passport.")


class AccessModeBody(WireModel):
    accessMode: Literal["public"]


class LoginStatusBody(WireModel):
    logged_in: bool
    app_logged_in: bool


class SiteDetails(WireModel):
    title: str
    chat_color_theme: str | None
    chat_color_theme_inverted: bool
    icon_type: str | None
    icon: str | None
    icon_background: str | None
    icon_url: None
    description: str | None
    copyright: str | None
    privacy_policy: str | None
    custom_disclaimer: str
    default_language: str
    prompt_public: bool
    show_workflow_steps: bool
    use_icon_as_answer_icon: bool


class SiteBody(WireModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    app_id: str
    end_user_id: str
    enable_site: bool
    site: SiteDetails
    app_model_config: None = Field(alias="model_config")
    plan: str
    can_replace_logo: bool
    custom_config: None


class Toggle(BaseModel):
    """A feature switch; enabled features carry their settings beside `enabled`."""

    enabled: bool = False


class SystemParameters(WireModel):
    image_file_size_limit: int
    video_file_size_limit: int
    audio_file_size_limit: int
    file_size_limit: int
    workflow_file_upload_limit: int


class ParametersBody(WireModel):
    opening_statement: str | None
    suggested_questions: list[str]
    suggested_questions_after_answer: Toggle
    speech_to_text: Toggle
    text_to_speech: Toggle
    retriever_resource: Toggle
    annotation_reply: Toggle
    more_like_this: Toggle
    user_input_form: list[dict[str, dict[str, Any]]] = Field(
        description="One `{<type>: {variable, label, required, ...}}` entry per input.")
    sensitive_word_avoidance: dict[str, Any]
    file_upload: dict[str, Any]
    system_parameters: SystemParameters


class ToolIcon(WireModel):
    background: str
    content: str


class MetaBody(WireModel):
    tool_icons: dict[str, ToolIcon]


class License(WireModel):
    status: str
    expired_at: str


class Branding(WireModel):
    enabled: bool
    application_title: str
    login_page_logo: str
    workspace_logo: str
    favicon: str


class WebappAuth(WireModel):
    enabled: bool
    allow_sso: bool
    sso_config: dict[str, Any]
    allow_email_code_login: bool
    allow_email_password_login: bool


class PluginInstallationPermission(WireModel):
    plugin_installation_scope: str
    restrict_to_marketplace_only: bool


class SystemFeaturesBody(WireModel):
    sso_enforced_for_signin: bool
    sso_enforced_for_signin_protocol: str
    enable_marketplace: bool
    max_plugin_package_size: int
    enable_email_code_login: bool
    enable_email_password_login: bool
    enable_social_oauth_login: bool
    is_allow_register: bool
    is_allow_create_workspace: bool
    is_email_setup: bool
    license: License
    branding: Branding
    webapp_auth: WebappAuth
    plugin_installation_permission: PluginInstallationPermission


class Page(WireModel, Generic[T]):
    """The infinite-scroll envelope."""

    limit: int
    has_more: bool
    data: list[T]


class Conversation(WireModel):
    id: str
    name: str
    inputs: dict[str, Any]
    status: str
    introduction: str | None
    created_at: int
    updated_at: int


class Feedback(WireModel):
    rating: Literal["like", "dislike"]


class Thought(WireModel):
    """A tool call of an agent-chat answer, as its `agent_thought` event carries it."""

    id: str
    position: int
    thought: str
    observation: str
    tool: str
    tool_labels: dict[str, Any]
    tool_input: str
    message_files: list[str]


class AgentThought(Thought):
    """A thought in the message list, with where it belongs."""

    message_id: str
    files: list[Any]
    chain_id: None
    created_at: int


class Message(WireModel):
    id: str
    conversation_id: str
    parent_message_id: str | None
    inputs: dict[str, Any]
    query: str
    answer: str
    feedback: Feedback | None
    retriever_resources: list[dict[str, Any]]
    created_at: int
    agent_thoughts: list[AgentThought]
    message_files: list[Any]
    status: Literal["normal", "error"]
    error: str | None
    metadata: dict[str, Any]


class SavedMessage(WireModel):
    id: str = Field(description="The message id.")
    inputs: dict[str, Any]
    query: str
    answer: str
    message_files: list[Any]
    feedback: Feedback | None
    created_at: int


class SuggestedQuestionsBody(WireModel):
    data: list[str]


class BlockingMetadata(WireModel):
    retriever_resources: list[dict[str, Any]]
    cached: bool = Field(False, description="Present (true) when the answer came from the completion cache.")


class CompletionBlockingBody(WireModel):
    """A finished completion (`response_mode: blocking`, spec §4)."""

    event: Literal["message"]
    task_id: str
    id: str
    message_id: str
    mode: Literal["completion"]
    answer: str
    metadata: BlockingMetadata
    created_at: int


class ChatBlockingBody(WireModel):
    """A finished chat turn (`response_mode: blocking`, spec §4)."""

    event: Literal["message"]
    task_id: str
    id: str
    message_id: str
    conversation_id: str
    mode: Literal["chat", "agent-chat", "advanced-chat"]
    answer: str
    metadata: BlockingMetadata
    created_at: int


class WorkflowRunResult(WireModel):
    id: str
    workflow_id: str
    status: Literal["succeeded", "failed", "stopped", "partial-succeeded"]
    outputs: dict[str, Any] | None
    error: str | None
    elapsed_time: float
    total_tokens: int
    total_steps: int
    created_at: int
    finished_at: int


class WorkflowBlockingBody(WireModel):
    """A finished workflow run (`response_mode: blocking`, spec §4)."""

    task_id: str
    workflow_run_id: str
    data: WorkflowRunResult
