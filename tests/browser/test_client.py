"""The built JS client in a real browser against the live server: SSE resume after a drop, and the WebSocket."""
from __future__ import annotations

from playwright.sync_api import Page

from tests.factories import form_config, make_app
from tests.support.fake_openai import Reply

# A fetch that cuts the first chat stream after three chunks, as a dropped connection would.
DROPPING_FETCH = """
  const realFetch = window.fetch.bind(window);
  let dropped = false;
  window.droppingFetch = async (url, init = {}) => {
    const response = await realFetch(url, init);
    if (dropped || init.method !== 'POST' || !String(url).endsWith('/chat-messages')) return response;
    dropped = true;
    const reader = response.body.getReader();
    let chunks = 0;
    const body = new ReadableStream({ async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      if (++chunks > 3) return controller.error(new TypeError('connection dropped'));
      controller.enqueue(value);
    } });
    return new Response(body, { status: response.status, headers: response.headers });
  };
"""


def open_chat(page: Page, server: str, app) -> None:
    code = make_app(app, mode="chat", model_config=form_config("Be brief."))["code"]
    page.goto(f"{server}/chat/{code}")
    page.wait_for_selector("body.ready")


def test_a_dropped_stream_resumes_from_its_last_event_id(app, page, server, reply):
    text = reply(Reply(text="".join(f"w{i:02d} " for i in range(24)), chunk_size=4, pace=0.05)).text
    open_chat(page, server, app)
    page.evaluate(DROPPING_FETCH)
    result = page.evaluate("""async () => {
      const { WebClient } = await import('/static/js/client.js');
      const client = new WebClient({ appCode: document.body.dataset.appCode, fetch: window.droppingFetch });
      const log = { answer: '', firsts: 0, resumes: [], end: 0, completed: null };
      const handle = client.sendChatMessage({ query: 'count' }, {
        onData: (answer, isFirst) => { log.answer += answer; log.firsts += isFirst ? 1 : 0; },
        onResume: (attempt, lastEventId) => log.resumes.push([attempt, lastEventId]),
        onMessageEnd: () => { log.end += 1; },
        onCompleted: (hasError) => { log.completed = hasError; },
      }, { retryDelayMs: 50 });
      await handle.done;
      return { ...log, taskId: handle.taskId };
    }""")
    assert result["answer"] == text and result["firsts"] == 1 and result["end"] == 1
    assert result["completed"] is False
    [(attempt, last_event_id)] = result["resumes"]
    assert attempt == 1 and last_event_id.startswith(result["taskId"] + ":")


def test_the_websocket_client_authenticates_streams_reports_errors_and_stops(app, page, server, reply):
    reply(Reply(text="Hello over the socket", chunk_size=4, pace=0.05))
    open_chat(page, server, app)
    result = page.evaluate("""async () => {
      const { WebClient } = await import('/static/js/client.js');
      const client = new WebClient({ appCode: document.body.dataset.appCode });
      localStorage.setItem(client.passportKey, 'not-a-passport');
      const ws = await client.connectWs({ keepAliveMs: 0 });
      const out = { answer: '', events: [], invalid: [], stopped: [] };
      await ws.chat({ query: 'hi' }, {
        onData: (answer) => { out.answer += answer; },
        onMessageEnd: () => out.events.push('message_end'),
        onCompleted: (hasError) => out.events.push(hasError),
      }).done;
      await ws.chat({ query: '' }, { onError: (e) => out.invalid.push(e.code, e.status),
                                     onCompleted: (hasError) => out.invalid.push(hasError) }).done;
      await ws.ping();
      const run = ws.chat({ query: 'again' }, { onData: () => run.stop(),
        onMessageEnd: () => out.stopped.push('message_end'), onCompleted: (e) => out.stopped.push(e) });
      await run.done;
      ws.close();
      out.passportReplaced = localStorage.getItem(client.passportKey) !== 'not-a-passport';
      return out;
    }""")
    assert result["answer"] == "Hello over the socket" and result["events"] == ["message_end", False]
    assert result["invalid"] == ["invalid_param", 400, True]
    assert result["stopped"] == ["message_end", False] and result["passportReplaced"]
