"""Parsing model replies into titles and suggested questions; the demo provider's fallbacks."""
from __future__ import annotations

import pytest

from api.extensions import db
from models import App, EndUser
from services import conversation_service, message_service
from services.conversation_service import clean_title
from services.llm_settings import server_defaults
from services.message_service import parse_questions
from tests.factories import make_app, make_conversation

pytestmark = pytest.mark.embedded


@pytest.mark.parametrize("reply, expected", [
    ('["A?", "B?"]', ["A?", "B?"]),
    ('Sure! Here you go:\n```json\n["A?", "B?", "C?", "D?"]\n```', ["A?", "B?", "C?"]),
    ('["A?", 3, "", "  B?  "]', ["A?", "B?"]),
    ("1. A?\n2) B?\n\n- C?\n* D?", ["A?", "B?", "C?"]),
    ('• "A?"\n[not json', ["A?", "[not json"]),
    ("", []),
    ("x" * 150, ["x" * 100]),
])
def test_parse_questions(reply, expected):
    assert parse_questions(reply) == expected


@pytest.mark.parametrize("reply, expected", [
    ("Trip planning", "Trip planning"),
    ('\n  "Trip planning"  \nExplanation...', "Trip planning"),
    ("Title: **Trip planning**", "Trip planning"),
    ("「東京旅行の計画」", "東京旅行の計画"),
    ("A very long title that goes on and on and on", "A very long title that goes on"),
    ('""\n', ""),
])
def test_clean_title(reply, expected):
    assert clean_title(reply) == expected


def test_demo_provider_names_after_the_query_and_suggests_nothing(app):
    created = make_app(app)
    user = "00000000-0000-7000-8000-000000000001"
    with app.app_context():
        db.session.add(EndUser(id=user, app_id=created["id"], session_id="s"))
        db.session.commit()
    conversation = make_conversation(app, created["id"], user, name="Old")
    config = {**app.config, "OPENAI_API_BASE": "", "OPENAI_API_KEY": ""}
    assert server_defaults(config)["base_url"] == ""
    with app.app_context():
        model = db.session.get(App, created["id"])
        renamed = conversation_service.rename_conversation(model, user, conversation["id"], None, True, config)
        assert renamed.name == "q0"
        model.model_config = {**model.model_config, "suggested_questions_after_answer": {"enabled": True}}
        db.session.commit()
        assert message_service.suggested_questions(model, user, conversation["message_ids"][0], config) == []
