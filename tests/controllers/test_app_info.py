"""Site, parameters, meta, access mode, logout and the console routes (spec §1.4, §2.5, §6)."""
from __future__ import annotations

import pytest

from tests.conftest import DSL_SAMPLES
from tests.factories import auth_headers, make_app, passport

pytestmark = pytest.mark.embedded


def _get(client, code, path):
    return client.get(path, headers=auth_headers(code, passport(client, code)))


def test_site_has_the_fields_the_front_end_reads(app, client):
    created = make_app(app, name="Helper")
    body = _get(client, created["code"], "/api/site").get_json()
    assert body["app_id"] == created["id"] and body["enable_site"] is True
    site = body["site"]
    for key in ("title", "icon_type", "icon", "icon_background", "icon_url", "default_language",
                "show_workflow_steps", "use_icon_as_answer_icon", "chat_color_theme", "chat_color_theme_inverted"):
        assert key in site
    assert site["title"] == "Helper"


def test_parameters_of_an_easy_app(app, client):
    code = make_app(app)["code"]
    body = _get(client, code, "/api/parameters").get_json()
    for key in ("opening_statement", "suggested_questions", "suggested_questions_after_answer", "speech_to_text",
                "text_to_speech", "retriever_resource", "annotation_reply", "more_like_this", "user_input_form",
                "sensitive_word_avoidance", "file_upload", "system_parameters"):
        assert key in body
    assert body["system_parameters"] == {"image_file_size_limit": 10, "video_file_size_limit": 100,
                                         "audio_file_size_limit": 50, "file_size_limit": 15,
                                         "workflow_file_upload_limit": 10}


def test_parameters_of_an_imported_workflow_convert_start_variables(app, client, runner):
    result = runner.invoke(args=["apps", "import", str(DSL_SAMPLES / "dify-fx-dual-switch-aggregator.yml")])
    assert result.exit_code == 0, result.output
    code = result.output.split("code=")[1].split()[0]
    form = _get(client, code, "/api/parameters").get_json()["user_input_form"]
    assert form and all(len(item) == 1 for item in form)
    fields = [next(iter(item.values())) for item in form]
    assert all("variable" in f and "label" in f and "required" in f for f in fields)


def test_parameters_without_a_config_is_app_unavailable(app, client):
    code = make_app(app, mode="workflow", workflow={"graph": None})["code"]
    response = _get(client, code, "/api/parameters")
    assert response.status_code == 400 and response.get_json()["code"] == "app_unavailable"


def test_meta_access_mode_logout_and_console_routes(app, client):
    code = make_app(app)["code"]
    assert _get(client, code, "/api/meta").get_json() == {"tool_icons": {}}
    assert client.get("/api/webapp/access-mode", query_string={"appCode": code}).get_json() == {
        "accessMode": "public"}
    assert client.post("/api/logout").get_json() == {"result": "success"}
    features = client.get("/console/api/system-features").get_json()
    assert features["webapp_auth"]["enabled"] is False and features["branding"]["enabled"] is False
    assert client.get("/api/system-features").get_json()["webapp_auth"]["enabled"] is False
    assert client.get("/console/api/setup").get_json()["step"] == "finished"
