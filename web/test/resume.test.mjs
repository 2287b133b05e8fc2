// Resume after a dropped connection (Last-Event-ID on the events route), bounded retries, stop, abort.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebClient } from '../static/js/client.js';
import { MemoryStorage, fakeFetch, frames, jsonResponse, passportRoute, recorder, sseResponse } from './fakes.mjs';

const T = 'task-9';
const message = (answer) => ({ event: 'message', conversation_id: 'c', message_id: 'm', id: 'm', task_id: T, answer });
const END = { event: 'message_end', conversation_id: 'c', message_id: 'm', id: 'm', task_id: T };
const WORDS = ['a', 'b', 'c', 'd', 'e', 'f'];

function client(routes) {
  const fake = fakeFetch({ 'GET /api/passport': passportRoute(), ...routes });
  return { web: new WebClient({ appCode: 'CODE', fetch: fake.fetch, storage: new MemoryStorage() }), calls: fake.calls };
}

const answerOf = (log) => log.filter((e) => e[0] === 'onData').map((e) => e[1]).join('');

test('a body cut mid-frame resumes from the last id and delivers every event once', async () => {
  const all = frames(T, [...WORDS.map(message), END]);
  const cut = all.indexOf(`id: ${T}:4`) + 10; // inside frame 4
  const events = (call) => {
    assert.equal(call.headers['last-event-id'], `${T}:3`);
    return sseResponse([frames(T, [message('c')], 3) + frames(T, [...WORDS.slice(3).map(message), END], 4)]);
  };
  const { web, calls } = client({
    'POST /api/chat-messages': () => sseResponse([all.slice(0, 7), all.slice(7, cut)], { drop: true }),
    [`GET /api/chat-messages/${T}/events`]: events,
  });
  const rec = recorder();
  const handle = web.sendChatMessage({ query: 'q' }, rec.callbacks, { retryDelayMs: 1 });
  await handle.done;
  assert.equal(answerOf(rec.log), 'abcdef');
  assert.deepEqual(rec.log.filter((e) => e[0] === 'onResume'), [['onResume', 1, `${T}:3`]]);
  assert.deepEqual(rec.log.at(-1), ['onCompleted', false]);
  assert.equal(rec.log.filter((e) => e[0] === 'onData' && e[2]).length, 1, 'isFirst only once across the resume');
  assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), ['GET /api/passport', 'POST /api/chat-messages',
    `GET /api/chat-messages/${T}/events`]);
  assert.equal(handle.lastEventId, `${T}:7`);
});

test('a body that ends cleanly before the last event also resumes; workflows use /workflow/<task>/events', async () => {
  const started = { event: 'workflow_started', task_id: 'wt', data: {} };
  const finished = { event: 'workflow_finished', task_id: 'wt', data: { status: 'succeeded', outputs: {} } };
  const { web, calls } = client({
    'POST /api/workflows/run': () => sseResponse([frames('wt', [started])]),
    'GET /api/workflow/wt/events': () => sseResponse([frames('wt', [{ event: 'text_chunk', task_id: 'wt',
      data: { text: 'x' } }, finished], 2)]),
  });
  const rec = recorder();
  await web.runWorkflow({ inputs: {} }, rec.callbacks, { retryDelayMs: 1 }).done;
  assert.deepEqual(rec.names(), ['onWorkflowStarted', 'onResume', 'onTextChunk', 'onWorkflowFinished', 'onCompleted']);
  assert.equal(calls.at(-1).headers['last-event-id'], 'wt:1');
});

test('a resumable server_restarting frame (the server shuts down, the run goes on) resumes instead of failing', async () => {
  const started = { event: 'workflow_started', task_id: 'wr', data: {} };
  const restarting = { event: 'error', task_id: 'wr', code: 'server_restarting', status: 400, resumable: true,
    message: 'The server is restarting; the run goes on.' };
  const finished = { event: 'workflow_finished', task_id: 'wr', data: { status: 'succeeded', outputs: {} } };
  const { web, calls } = client({
    'POST /api/workflows/run': () => sseResponse([frames('wr', [started]), `data: ${JSON.stringify(restarting)}\n\n`]),
    'GET /api/workflow/wr/events': () => sseResponse([frames('wr', [finished], 2)]),
  });
  const rec = recorder();
  await web.runWorkflow({ inputs: {} }, rec.callbacks, { retryDelayMs: 1 }).done;
  assert.deepEqual(rec.names(), ['onWorkflowStarted', 'onResume', 'onWorkflowFinished', 'onCompleted']);
  assert.deepEqual(rec.log.at(-1), ['onCompleted', false]);
  assert.equal(calls.at(-1).headers['last-event-id'], 'wr:1');
});

test('retries are bounded: after maxRetries failed reconnections the run ends with connection_lost', async () => {
  let attempts = 0;
  const { web } = client({
    'POST /api/chat-messages': () => sseResponse([frames(T, [message('a')])], { drop: true }),
    [`GET /api/chat-messages/${T}/events`]: () => { attempts += 1; throw new TypeError('offline'); },
  });
  const rec = recorder();
  await web.sendChatMessage({ query: 'q' }, rec.callbacks, { retryDelayMs: 1, maxRetries: 3 }).done;
  assert.equal(attempts, 3);
  assert.deepEqual(rec.names(), ['onData', 'onResume', 'onResume', 'onResume', 'onError', 'onCompleted']);
  assert.equal(rec.log.at(-2)[1].code, 'connection_lost');
  assert.deepEqual(rec.log.at(-1), ['onCompleted', true]);
});

test('a 404 from the events route (run gone) ends at once with that error; progress resets the retry count', async () => {
  const gone = () => jsonResponse({ code: 'not_found', message: 'Task not found', status: 404 }, 404);
  const { web } = client({
    'POST /api/chat-messages': () => sseResponse([frames(T, [message('a')])], { drop: true }),
    [`GET /api/chat-messages/${T}/events`]: [
      () => sseResponse([frames(T, [message('b')], 2)], { drop: true }),
      () => sseResponse([frames(T, [message('c')], 3)], { drop: true }),
      gone,
    ],
  });
  const rec = recorder();
  await web.sendChatMessage({ query: 'q' }, rec.callbacks, { retryDelayMs: 1, maxRetries: 1 }).done;
  assert.equal(answerOf(rec.log), 'abc');
  assert.deepEqual(rec.log.at(-2), ['onError', { code: 'not_found', message: 'Task not found', status: 404 }]);
});

test('a drop before any id cannot resume and is reported', async () => {
  const { web } = client({ 'POST /api/chat-messages': () => sseResponse([': hello\n\n'], { drop: true }) });
  const rec = recorder();
  await web.sendChatMessage({ query: 'q' }, rec.callbacks, { retryDelayMs: 1 }).done;
  assert.deepEqual(rec.names(), ['onError', 'onCompleted']);
});

test('stop() posts to the stop route of the run kind, once the task id is known', async () => {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const body = new ReadableStream({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(frames(T, [message('a')])));
      await gate;
      controller.enqueue(new TextEncoder().encode(frames(T, [END], 2)));
      controller.close();
    },
  });
  const { web, calls } = client({
    'POST /api/completion-messages': () => new Response(body, { status: 200 }),
    [`POST /api/completion-messages/${T}/stop`]: () => { release(); return jsonResponse({ result: 'success' }); },
  });
  const rec = recorder({ onData: () => handle.stop() });
  const handle = web.sendCompletionMessage({ inputs: {} }, rec.callbacks);
  await handle.done;
  assert.equal(calls.filter((c) => c.path.endsWith('/stop')).length, 1);
  assert.deepEqual(rec.log.at(-1), ['onCompleted', false]);
});

test('abort() ends reading without a resume: onAborted, then onCompleted(false)', async () => {
  const body = new ReadableStream({
    start(controller) { controller.enqueue(new TextEncoder().encode(frames(T, [message('a')]))); },
  });
  const { web, calls } = client({ 'POST /api/chat-messages': () => new Response(body, { status: 200 }) });
  const rec = recorder({ onData: () => setTimeout(() => handle.abort(), 5) });
  const handle = web.sendChatMessage({ query: 'q' }, rec.callbacks, { retryDelayMs: 1 });
  await handle.done;
  assert.deepEqual(rec.names(), ['onAborted', 'onCompleted']);
  assert.deepEqual(rec.log.at(-1), ['onCompleted', false]);
  assert.equal(calls.length, 2);
});

test('resume() opens the events route directly with the given Last-Event-ID', async () => {
  const { web, calls } = client({
    [`GET /api/chat-messages/${T}/events`]: () => sseResponse([frames(T, [message('z'), END], 5)]),
  });
  const rec = recorder();
  await web.resume('chat', T, `${T}:4`, rec.callbacks).done;
  assert.equal(answerOf(rec.log), 'z');
  assert.equal(calls.at(-1).headers['last-event-id'], `${T}:4`);
});
