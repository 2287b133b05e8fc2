"""Public information about an app: its site, parameters, meta and system features (spec §1.4, §2.5)."""
from __future__ import annotations

from typing import Any

from core.app_features import parameters_from_model_config, parameters_from_workflow
from models import App, Site
from services.errors import AppUnavailable

SYSTEM_PARAMETER_KEYS = {
    "image_file_size_limit": "UPLOAD_IMAGE_FILE_SIZE_LIMIT",
    "video_file_size_limit": "UPLOAD_VIDEO_FILE_SIZE_LIMIT",
    "audio_file_size_limit": "UPLOAD_AUDIO_FILE_SIZE_LIMIT",
    "file_size_limit": "UPLOAD_FILE_SIZE_LIMIT",
    "workflow_file_upload_limit": "WORKFLOW_FILE_UPLOAD_LIMIT",
}


def system_parameters(config: dict[str, Any]) -> dict[str, int]:
    """Upload limits (MB / count) as /api/parameters reports them."""
    return {key: int(config[name]) for key, name in SYSTEM_PARAMETER_KEYS.items()}


def app_parameters(app: App, limits: dict[str, int]) -> dict[str, Any]:
    """The /api/parameters body. Raises AppUnavailable when the app has no usable config."""
    if app.mode in ("workflow", "advanced-chat"):
        if not (app.workflow and app.workflow.get("graph")):
            raise AppUnavailable()
        return parameters_from_workflow(app.workflow, limits)
    if app.model_config is None:
        raise AppUnavailable()
    return parameters_from_model_config(app.model_config, limits)


def site_info(app: App, site: Site, end_user_id: str | None) -> dict[str, Any]:
    """The /api/site body for the end user `end_user_id`."""
    return {
        "app_id": app.id,
        "end_user_id": end_user_id,
        "enable_site": app.enable_site,
        "site": {
            "title": site.title,
            "chat_color_theme": site.chat_color_theme,
            "chat_color_theme_inverted": site.chat_color_theme_inverted,
            "icon_type": site.icon_type,
            "icon": site.icon,
            "icon_background": site.icon_background,
            "icon_url": None,
            "description": site.description,
            "copyright": site.copyright,
            "privacy_policy": site.privacy_policy,
            "custom_disclaimer": site.custom_disclaimer,
            "default_language": site.default_language,
            "prompt_public": site.prompt_public,
            "show_workflow_steps": site.show_workflow_steps,
            "use_icon_as_answer_icon": site.use_icon_as_answer_icon,
        },
        "model_config": None,
        "plan": "basic",
        "can_replace_logo": False,
        "custom_config": None,
    }


def app_meta(app: App) -> dict[str, Any]:
    """The /api/meta body: icons of the tools the app can call."""
    icons: dict[str, Any] = {}
    for server in (app.settings or {}).get("mcp_servers", []):
        for tool in server.get("tools", []):
            icons[tool] = {"background": "#EFF1F5", "content": "🔧"}
    return {"tool_icons": icons}


def system_features() -> dict[str, Any]:
    """Feature flags the front end reads; SSO and branding are not part of this server."""
    return {
        "sso_enforced_for_signin": False,
        "sso_enforced_for_signin_protocol": "",
        "enable_marketplace": False,
        "max_plugin_package_size": 0,
        "enable_email_code_login": False,
        "enable_email_password_login": False,
        "enable_social_oauth_login": False,
        "is_allow_register": False,
        "is_allow_create_workspace": False,
        "is_email_setup": False,
        "license": {"status": "none", "expired_at": ""},
        "branding": {"enabled": False, "application_title": "", "login_page_logo": "", "workspace_logo": "",
                     "favicon": ""},
        "webapp_auth": {"enabled": False, "allow_sso": False, "sso_config": {"protocol": ""},
                        "allow_email_code_login": False, "allow_email_password_login": False},
        "plugin_installation_permission": {"plugin_installation_scope": "all",
                                           "restrict_to_marketplace_only": False},
    }
