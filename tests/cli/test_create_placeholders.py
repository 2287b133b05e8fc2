"""`flask apps create --pre-prompt "... {{topic}}"`: placeholders become the app's text inputs (issue 11)."""
from __future__ import annotations

import pytest

from api.extensions import db
from models import App, Site
from tests.factories import auth_headers, passport


@pytest.fixture
def app_overrides(upstream):
    return {"OPENAI_API_BASE": upstream.base_url, "OPENAI_API_KEY": "sk-test"}


def _create_with_cache(app, runner) -> str:
    created = runner.invoke(args=["apps", "create", "--mode", "completion", "--name", "Writer", "--model",
                                  "test-model", "--pre-prompt", "Write about {{topic}} for {{ topic }}{{reader}}"])
    assert created.exit_code == 0, created.output
    code = created.output.split("code=")[1].split()[0]
    with app.app_context():
        row = db.session.execute(db.select(App).join(Site, Site.app_id == App.id).where(Site.code == code)).scalar_one()
        row.settings = {"completion_cache": {"enabled": True}}
        db.session.commit()
    return code


def _complete(client, code, token, inputs):
    response = client.post("/api/completion-messages", headers=auth_headers(code, token),
                           json={"inputs": inputs, "response_mode": "blocking"})
    return response


def test_placeholders_become_inputs_rendered_and_cached_per_value(app, client, runner, upstream):
    code = _create_with_cache(app, runner)
    token = passport(client, code)
    form = client.get("/api/parameters", headers=auth_headers(code, token)).get_json()["user_input_form"]
    assert [next(iter(item)) for item in form] == ["text-input", "text-input"]
    assert [(i["text-input"]["variable"], i["text-input"]["label"]) for i in form] == [
        ("topic", "topic"), ("reader", "reader")]
    for value in ("cats", "dogs", "cats"):
        assert _complete(client, code, token, {"topic": value}).status_code == 200
    prompts = [str(r.body["messages"]) for r in upstream.requests]
    assert len(prompts) == 2, "the third request repeats the first and comes from the cache"
    assert "Write about cats for cats" in prompts[0] and "Write about dogs for dogs" in prompts[1]
    too_long = _complete(client, code, token, {"topic": "x" * 49}).get_json()
    assert too_long["code"] == "invalid_param" and "topic" in too_long["message"]
