"""Conversation and message lists: a constant number of statements per page, each served by an index.

The plans are read from the database itself (PostgreSQL `EXPLAIN`, SQLite `EXPLAIN QUERY PLAN`) for the
very statements a list request sends, on tables large enough for the planner to prefer a full scan
if no index fitted.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from api.extensions import db
from models import Conversation, Message, MessageFeedback
from models.base import new_id
from tests.factories import auth_headers, end_user_id, make_app, passport
from tests.support.sql import recorded_sql

pytestmark = pytest.mark.embedded

USER_CONVERSATIONS = 300
OTHER_CONVERSATIONS = 1200
MESSAGES = 3000  # in the user's first conversation; others hold 5 each


def _seed(app, app_id: str, user_id: str, other_user_id: str) -> str:
    """Conversations for the user and for someone else, messages and feedbacks; returns the busy conversation."""
    owners = [user_id] * USER_CONVERSATIONS + [other_user_id] * OTHER_CONVERSATIONS
    conversations = [dict(id=new_id(), app_id=app_id, from_end_user_id=owner, mode="chat", name=f"c{i}",
                          is_deleted=i % 7 == 0 and owner == user_id) for i, owner in enumerate(owners)]
    busy = conversations[1]["id"]
    messages = [dict(id=new_id(), app_id=app_id, conversation_id=busy, from_end_user_id=user_id, mode="chat",
                     query=f"q{i}", answer=f"a{i}") for i in range(MESSAGES)]
    messages += [dict(id=new_id(), app_id=app_id, conversation_id=c["id"], from_end_user_id=c["from_end_user_id"],
                      mode="chat", query="q", answer="a") for c in conversations[2:] for _ in range(5)]
    feedbacks = [dict(app_id=app_id, conversation_id=busy, message_id=m["id"], rating="like",
                      from_end_user_id=user_id) for m in messages[MESSAGES - 40:MESSAGES:3]]
    with app.app_context():
        db.session.execute(sa.insert(Conversation), conversations)
        db.session.execute(sa.insert(Message), messages)
        db.session.execute(sa.insert(MessageFeedback), feedbacks)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE conversations; ANALYZE messages; ANALYZE message_feedbacks"))
        db.session.commit()
    return busy


@pytest.fixture
def world(app, client):
    """(headers, busy conversation id) of an end user with many conversations and messages."""
    created = make_app(app)
    token, other = passport(client, created["code"]), passport(client, created["code"])
    busy = _seed(app, created["id"], end_user_id(token), end_user_id(other))
    return auth_headers(created["code"], token), busy


def _statements(app, client, headers, path: str) -> list[tuple[str, object]]:
    with recorded_sql(app) as statements:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_json()
    return statements


def _list_paths(client, headers, busy: str) -> dict[str, str]:
    conversations = client.get("/api/conversations?limit=5", headers=headers).get_json()["data"]
    messages = client.get(f"/api/messages?conversation_id={busy}&limit=5", headers=headers).get_json()["data"]
    return {
        "conversations": "/api/conversations?limit={n}",
        "conversations after a cursor": f"/api/conversations?limit={{n}}&last_id={conversations[-1]['id']}",
        "conversations by creation":
            f"/api/conversations?limit={{n}}&sort_by=created_at&last_id={conversations[2]['id']}",
        "unpinned conversations": "/api/conversations?limit={n}&pinned=false",
        "messages": f"/api/messages?conversation_id={busy}&limit={{n}}",
        "older messages": f"/api/messages?conversation_id={busy}&limit={{n}}&first_id={messages[0]['id']}",
    }


def test_statements_per_list_page_do_not_grow_with_the_page(app, client, world):
    headers, busy = world
    for name, path in _list_paths(client, headers, busy).items():
        small = _statements(app, client, headers, path.format(n=1))
        large = _statements(app, client, headers, path.format(n=100))
        assert len(small) == len(large) <= 3, (name, [s for s, _ in large])
    page = client.get(f"/api/messages?conversation_id={busy}&limit=100", headers=headers).get_json()["data"]
    assert sum(1 for m in page if m["feedback"] == {"rating": "like"}) == len(range(MESSAGES - 40, MESSAGES, 3))


def _plan(app, statement: str, parameters) -> str:
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters)
            return "\n".join(row[0] for row in rows)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(row[-1] for row in rows)


def _full_scans(plan: str) -> list[str]:
    """Plan lines that read a whole list table, sort its rows in memory, or walk an index not keyed by
    conversation and filter the conversation afterwards (a primary-key range through everybody's messages)."""
    bad = ("Seq Scan on conversations", "Seq Scan on messages", "SCAN conversations", "SCAN messages",
           "TEMP B-TREE FOR ORDER BY")
    lines = plan.splitlines()
    return [line for line in lines if any(word in line for word in bad)
            or ("Sort Key:" in line and ("messages." in line or "conversations." in line))
            or ("Filter:" in line and "conversation_id =" in line)
            or (line.startswith("SEARCH messages") and "conversation_id=" not in line and "(id=?)" not in line)]


def test_every_list_statement_is_an_index_range(app, client, world):
    headers, busy = world
    for name, path in _list_paths(client, headers, busy).items():
        for statement, parameters in _statements(app, client, headers, path.format(n=20)):
            if "conversations" in statement or "messages" in statement:
                plan = _plan(app, statement, parameters)
                assert "Index" in plan or "INDEX" in plan, (name, statement, plan)
                assert _full_scans(plan) == [], (name, statement, plan)
