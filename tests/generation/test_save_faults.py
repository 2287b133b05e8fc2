"""A run whose final save fails: retried on a new connection, else the row is failed and the stream ends in error.

The fault is real: a trigger on `messages` terminates its own PostgreSQL backend (pg_terminate_backend) at
the moment a run saves its outcome, for messages whose query asks for it.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from api.extensions import db
from models import Message
from services.generation.persist import SAVE_FAILED
from tests.conftest import BACKEND
from tests.factories import auth_headers, make_app, passport
from tests.support.fake_openai import Reply
from tests.support.sse import frames

pytestmark = pytest.mark.skipif(BACKEND == "embedded", reason="terminates PostgreSQL backends")

KILL_SAVE = """
CREATE OR REPLACE FUNCTION test_kill_save() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'running' AND NEW.status <> 'running' AND (
       (NEW.query = 'kill-save-always' AND NEW.status <> 'error')
       OR (NEW.query = 'kill-save-once' AND nextval('test_kill_save_count') = 1)) THEN
    PERFORM pg_terminate_backend(pg_backend_pid());
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER test_kill_save BEFORE UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION test_kill_save();
"""


@pytest.fixture
def kill_save(app):
    with app.app_context():
        db.session.execute(sa.text("CREATE SEQUENCE test_kill_save_count"))
        db.session.execute(sa.text(KILL_SAVE))
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(sa.text("DROP TRIGGER test_kill_save ON messages; DROP FUNCTION test_kill_save(); "
                                   "DROP SEQUENCE test_kill_save_count"))
        db.session.commit()


def _chat(client, query: str) -> list:
    code = make_app(client.application)["code"]
    response = client.post("/api/chat-messages", headers=auth_headers(code, passport(client, code)),
                           buffered=True, json={"inputs": {}, "query": query, "response_mode": "streaming"})
    assert response.status_code == 200, response.data
    return [f.data for f in frames([response.data]) if f.data]


def _stored(app, message_id: str):
    with app.app_context():
        return db.session.execute(sa.select(Message.status, Message.answer, Message.error)
                                  .where(Message.id == message_id)).one()


def test_save_killed_once_is_retried_on_a_new_connection(app, client, upstream, kill_save):
    upstream.script(Reply(text="saved after all"))
    events = _chat(client, "kill-save-once")
    assert events[-1]["event"] == "message_end", events[-1]
    assert _stored(app, events[0]["message_id"])[:2] == ("normal", "saved after all")
    with app.app_context():  # the first attempt really was killed
        assert db.session.execute(sa.text("SELECT last_value FROM test_kill_save_count")).scalar() >= 2


def test_save_failing_for_good_ends_the_stream_in_error_and_fails_the_row(app, client, upstream, kill_save):
    upstream.script(Reply(text="streamed but unsaved"))
    events = _chat(client, "kill-save-always")
    assert "".join(e["answer"] for e in events if e["event"] == "message") == "streamed but unsaved"
    assert events[-1]["event"] == "error" and events[-1]["message"] == SAVE_FAILED, events[-1]
    assert not any(e["event"] == "message_end" for e in events)
    assert tuple(_stored(app, events[0]["message_id"])) == ("error", "streamed but unsaved", SAVE_FAILED)
