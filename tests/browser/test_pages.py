"""The chat page in a real browser: streaming, stop, feedback, regenerate, conversation management, history."""
from __future__ import annotations

import time

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from api.extensions import db
from models import Conversation, EndUser, Message
from tests.factories import end_user_id, form_config, make_app, make_conversation
from tests.support.fake_openai import Reply

ROOT_PARENT = "00000000-0000-0000-0000-000000000000"
ANSWER = ".message.answer:not(.opening)"


def open_page(page: Page, server: str, kind: str, code: str) -> None:
    page.goto(f"{server}/{kind}/{code}")
    page.wait_for_selector("body.ready")


def chat_app(app, **features) -> dict[str, str]:
    config = form_config("You are helpful.", opening_statement="Hello! Ask me anything.",
                         suggested_questions=["What can you do?"], **features)
    return make_app(app, mode="chat", model_config=config)


def messages_of(app, app_id: str, timeout: float = 3.0) -> list[tuple]:
    """(id, parent_message_id, status, answer) of the app's messages, oldest first, once none is running."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            rows = db.session.scalars(sa.select(Message).where(Message.app_id == app_id).order_by(Message.created_at))
            found = [(m.id, m.parent_message_id, m.status, m.answer) for m in rows]
        if all(row[2] != "running" for row in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_answer_streams_in_then_feedback_regenerate_and_history_survive_a_reload(app, page, server, upstream):
    created = chat_app(app)
    text = "**Streaming** works: " + " ".join(f"word{i}" for i in range(30))
    upstream.script(Reply(text=text, chunk_size=6, pace=0.05), Reply(text="Greeting chat"))
    open_page(page, server, "chat", created["code"])
    expect(page.locator(".message.opening")).to_contain_text("Hello! Ask me anything.")
    expect(page.locator(".chip")).to_have_text(["What can you do?"])
    page.fill("#query", "Hello there")
    page.press("#query", "Enter")
    expect(page.locator(".message.question")).to_have_text(["Hello there"])
    # Part of the answer is on screen while the stream is still going.
    page.wait_for_function("""() => { const a = document.querySelector('.message.answer.streaming .content');
                                     return a && a.textContent.includes('word3'); }""")
    partial = page.locator(f"{ANSWER} .content").inner_text()
    expect(page.locator("#stop")).to_be_visible()
    expect(page.locator(".message.answer.streaming")).to_have_count(0, timeout=10_000)
    answer = page.locator(f"{ANSWER} .content")
    expect(answer.locator("strong")).to_have_text("Streaming")
    expect(answer).to_contain_text("word29")
    assert "word29" not in partial and len(partial) < len(answer.inner_text())
    expect(page.locator("#conversation-list .conversation-item .name")).to_have_text(["Greeting chat"])
    page.click(f"{ANSWER} .like")
    expect(page.locator(f"{ANSWER} .like")).to_have_attribute("aria-pressed", "true")

    upstream.script(Reply(text="A better answer.", chunk_size=4, pace=0.02))
    page.click(f"{ANSWER} .regenerate")
    expect(page.locator(f"{ANSWER} .content")).to_have_text("A better answer.")
    expect(page.locator(".message.answer.streaming")).to_have_count(0)
    (_, first_parent, _, _), (second_id, second_parent, status, stored) = messages_of(app, created["id"])
    assert first_parent == second_parent == ROOT_PARENT and (status, stored) == ("normal", "A better answer.")

    page.reload()
    page.wait_for_selector("body.ready")
    expect(page.locator(".message.question")).to_have_text(["Hello there"])
    expect(page.locator(f"{ANSWER} .content")).to_have_text(["A better answer."])
    expect(page.locator(f"{ANSWER}[data-message-id='{second_id}']")).to_have_count(1)
    expect(page.locator("#conversation-list .conversation-item.active .name")).to_have_text("Greeting chat")


def test_stop_ends_a_long_answer_and_keeps_the_partial_text(app, page, server, reply):
    created = chat_app(app)
    reply(Reply(text="lorem " * 300, chunk_size=6, pace=0.05))
    open_page(page, server, "chat", created["code"])
    page.fill("#query", "Tell me everything")
    page.click("#send")
    page.wait_for_function("""() => { const a = document.querySelector('.message.answer.streaming .content');
                                     return a && a.textContent.length > 30; }""")
    page.click("#stop")
    expect(page.locator(".message.answer.streaming")).to_have_count(0, timeout=3_000)
    expect(page.locator(f"{ANSWER} .status")).to_have_text("Stopped")
    expect(page.locator("#send")).to_be_visible()
    shown = page.locator(f"{ANSWER} .content").inner_text()
    [(_, _, status, stored)] = messages_of(app, created["id"])
    assert status == "stopped" and 30 < len(shown) < len("lorem " * 300)
    assert stored.split() == shown.split()


def test_rename_pin_delete_conversations_and_reload_to_the_history(app, page, server):
    created = chat_app(app)
    open_page(page, server, "chat", created["code"])
    user = end_user_id(page.evaluate("code => localStorage.getItem('passport-' + code)", created["code"]))
    alpha = make_conversation(app, created["id"], user, name="Alpha", turns=2)["id"]
    beta = make_conversation(app, created["id"], user, name="Beta")["id"]
    page.reload()
    page.wait_for_selector("body.ready")
    expect(page.locator("#conversation-list .conversation-item .name")).to_have_text(["Beta", "Alpha"])

    page.click(f".conversation-item[data-id='{alpha}'] .name")
    expect(page.locator(".message.question")).to_have_text(["q0", "q1"])
    expect(page.locator(f"{ANSWER} .content")).to_have_text(["a0", "a1"])
    page.click(f".conversation-item[data-id='{alpha}'] .rename")
    page.fill(".rename-input", "Project notes")
    page.press(".rename-input", "Enter")
    expect(page.locator(f".conversation-item[data-id='{alpha}'] .name")).to_have_text("Project notes")

    page.click(f".conversation-item[data-id='{beta}'] .pin")
    expect(page.locator("#pinned-list .conversation-item .name")).to_have_text(["Beta"])
    page.click(f".conversation-item[data-id='{beta}'] .delete")
    page.click(f".conversation-item[data-id='{beta}'] .delete.confirm")
    expect(page.locator(".conversation-item")).to_have_count(1)
    with app.app_context():
        assert db.session.get(Conversation, beta).is_deleted
        assert db.session.get(Conversation, alpha).name == "Project notes"

    page.reload()
    page.wait_for_selector("body.ready")
    expect(page.locator(".conversation-item.active .name")).to_have_text("Project notes")
    expect(page.locator(".message.question")).to_have_text(["q0", "q1"])
    expect(page.locator(".pinned-title")).to_be_hidden()


def test_chatbot_on_a_phone_keeps_the_user_id_and_slides_the_list_in(app, browser, server, reply, artifacts):
    created = chat_app(app)
    reply(Reply(text="Hi Alice.", chunk_size=3))
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(f"{server}/chatbot/{created['code']}?user_id=alice")
        phone.wait_for_selector("body.ready")
        expect(phone.locator("#sidebar")).to_be_hidden()
        phone.fill("#query", "Hello")
        phone.click("#send")
        expect(phone.locator(f"{ANSWER} .content")).to_have_text("Hi Alice.")
        phone.click("#toggle-sidebar")
        expect(phone.locator("#sidebar")).to_be_visible()
        expect(phone.locator(".conversation-item")).to_have_count(1)
        phone.screenshot(path=str(artifacts / "chatbot_on_a_phone.png"))
        phone.click("#backdrop", position={"x": 370, "y": 400})
        expect(phone.locator("#sidebar")).to_be_hidden()
        phone.goto(f"{server}/chatbot/{created['code']}?user_id=bob")  # the stored passport is Alice's
        phone.wait_for_selector("body.ready")
        expect(phone.locator(".conversation-item")).to_have_count(0)
        expect(phone.locator(".message.question")).to_have_count(0)
    finally:
        context.close()
    with app.app_context():
        sessions = db.session.scalars(sa.select(EndUser.session_id).where(EndUser.app_id == created["id"]))
        assert sorted(sessions) == ["alice", "bob"]


def test_an_unknown_app_code_says_so(page, server):
    page.goto(f"{server}/chat/NoSuchCode")
    expect(page.locator(".fatal")).to_contain_text("This app does not exist or is no longer available.")
