// The HTTP client: passport storage and re-acquisition, callback dispatch, stop, abort, resume.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, WebClient } from '../static/js/client.js';
import { MemoryStorage, fakeFetch, frames, jsonResponse, passportRoute, recorder, sseResponse } from './fakes.mjs';

const T = 'task-1';
const chatEvent = (answer, extra = {}) => ({ event: 'message', conversation_id: 'c-1', message_id: 'm-1', id: 'm-1',
  task_id: T, answer, ...extra });
const END = { event: 'message_end', conversation_id: 'c-1', message_id: 'm-1', id: 'm-1', task_id: T, metadata: {} };

function client(routes, options = {}) {
  const fake = fakeFetch({ 'GET /api/passport': passportRoute(), ...routes });
  const storage = options.storage ?? new MemoryStorage();
  const web = new WebClient({ appCode: 'CODE', fetch: fake.fetch, storage, ...options });
  return { web, calls: fake.calls, storage };
}

test('acquires a passport with X-App-Code, stores it under passport-<code> and sends it', async () => {
  const { web, calls, storage } = client({ 'GET /api/site': () => jsonResponse({ app_id: 'a' }) }, { userId: 'u-7' });
  assert.deepEqual(await web.getSite(), { app_id: 'a' });
  assert.deepEqual(calls.map((c) => c.path), ['/api/passport', '/api/site']);
  assert.equal(calls[0].headers['x-app-code'], 'CODE');
  assert.deepEqual(calls[0].query, { user_id: 'u-7' });
  assert.equal(storage.getItem('passport-CODE'), 'token-1');
  assert.equal(calls[1].headers['x-app-passport'], 'token-1');
  await web.getSite();
  assert.equal(calls.filter((c) => c.path === '/api/passport').length, 1, 'the stored passport is reused');
});

test('a 401 drops the passport, acquires a new one and retries once', async () => {
  const unauthorized = () => jsonResponse({ code: 'unauthorized', message: 'Invalid token.', status: 401 }, 401);
  const { web, calls, storage } = client({ 'GET /api/meta': [unauthorized, () => jsonResponse({ tool_icons: {} })] },
    { storage: new MemoryStorage({ 'passport-CODE': 'stale' }) });
  assert.deepEqual(await web.getMeta(), { tool_icons: {} });
  assert.deepEqual(calls.map((c) => [c.path, c.headers['x-app-passport']]),
    [['/api/meta', 'stale'], ['/api/passport', undefined], ['/api/meta', 'token-1']]);
  assert.equal(storage.getItem('passport-CODE'), 'token-1');
});

test('a second 401 is an ApiError, not a loop; concurrent callers share one passport request', async () => {
  const unauthorized = () => jsonResponse({ code: 'unauthorized', message: 'Invalid token.', status: 401 }, 401);
  const { web, calls } = client({ 'GET /api/site': unauthorized });
  await assert.rejects(web.getSite(), (error) => error instanceof ApiError && error.status === 401
    && error.code === 'unauthorized' && error.message === 'Invalid token.');
  assert.equal(calls.length, 4);
  const { web: other, calls: otherCalls } = client({ 'GET /api/site': () => jsonResponse({}) });
  await Promise.all([other.getSite(), other.getSite(), other.getSite()]);
  assert.equal(otherCalls.filter((c) => c.path === '/api/passport').length, 1);
});

test('errors carry code, message and status; 204 becomes {result: "success"}', async () => {
  const { web } = client({
    'DELETE /api/conversations/c-1': () => jsonResponse(null, 204),
    'POST /api/conversations/c-2/name': () => jsonResponse({ code: 'invalid_param', message: 'name: required',
      status: 400 }, 400),
  });
  assert.deepEqual(await web.deleteConversation('c-1'), { result: 'success' });
  await assert.rejects(web.renameConversation('c-2', ' '), { code: 'invalid_param', status: 400,
    message: 'name: required' });
});

test('every helper calls its route with the right method, path, query and body', async () => {
  const ok = (call) => jsonResponse({ echo: `${call.method} ${call.path}` });
  const routes = {};
  const expected = [
    ['getSite', [], 'GET /api/site'], ['getParameters', [], 'GET /api/parameters'], ['getMeta', [], 'GET /api/meta'],
    ['getSystemFeatures', [], 'GET /api/system-features'], ['getAccessMode', [], 'GET /api/webapp/access-mode'],
    ['getLoginStatus', [], 'GET /api/login/status'], ['logout', [], 'POST /api/logout'],
    ['getConversations', [{ limit: 100, pinned: true }], 'GET /api/conversations'],
    ['deleteConversation', ['c'], 'DELETE /api/conversations/c'],
    ['renameConversation', ['c', 'New'], 'POST /api/conversations/c/name'],
    ['generateConversationName', ['c'], 'POST /api/conversations/c/name'],
    ['pinConversation', ['c'], 'PATCH /api/conversations/c/pin'],
    ['unpinConversation', ['c'], 'PATCH /api/conversations/c/unpin'],
    ['getMessages', ['c', { limit: 20 }], 'GET /api/messages'],
    ['sendFeedback', ['m', 'like'], 'POST /api/messages/m/feedbacks'],
    ['getSuggestedQuestions', ['m'], 'GET /api/messages/m/suggested-questions'],
    ['moreLikeThis', ['m'], 'GET /api/messages/m/more-like-this'],
    ['getSavedMessages', [{ limit: 5 }], 'GET /api/saved-messages'], ['saveMessage', ['m'], 'POST /api/saved-messages'],
    ['deleteSavedMessage', ['m'], 'DELETE /api/saved-messages/m'],
    ['stopChat', ['t'], 'POST /api/chat-messages/t/stop'],
    ['stopCompletion', ['t'], 'POST /api/completion-messages/t/stop'],
    ['stopWorkflow', ['t'], 'POST /api/workflows/tasks/t/stop'],
    ['chatBlocking', [{ query: 'q' }], 'POST /api/chat-messages'],
    ['completionBlocking', [{ inputs: {} }], 'POST /api/completion-messages'],
    ['runWorkflowBlocking', [{ inputs: {} }], 'POST /api/workflows/run'],
  ];
  for (const [, , route] of expected) routes[route] = ok;
  const { web, calls } = client(routes);
  for (const [method, args, route] of expected) {
    assert.deepEqual(await web[method](...args), { echo: route }, method);
  }
  const byPath = (path) => calls.filter((c) => c.path === path);
  assert.deepEqual(byPath('/api/conversations')[0].query, { limit: '100', pinned: 'true' });
  assert.deepEqual(byPath('/api/messages')[0].query, { conversation_id: 'c', limit: '20' });
  assert.deepEqual(byPath('/api/conversations/c/name').map((c) => c.body),
    [{ name: 'New', auto_generate: false }, { auto_generate: true }]);
  assert.deepEqual(byPath('/api/messages/m/more-like-this')[0].query, { response_mode: 'blocking' });
  assert.deepEqual(byPath('/api/messages/m/feedbacks')[0].body, { rating: 'like', content: null });
  assert.deepEqual(byPath('/api/webapp/access-mode')[0].query, { appCode: 'CODE' });
  assert.equal(byPath('/api/chat-messages')[0].body.response_mode, 'blocking');
});

test('chat events reach onData (isFirst once, ids in meta), onPing, onMessageEnd, then onCompleted(false)', async () => {
  const body = frames(T, [chatEvent('Hel'), chatEvent('lo')]) + 'event: ping\n\n' + frames(T, [END], 3);
  const { web, calls } = client({ 'POST /api/chat-messages': () => sseResponse([body]) });
  const { log, callbacks, names } = recorder();
  const handle = web.sendChatMessage({ query: 'hi' }, callbacks);
  await handle.done;
  assert.deepEqual(names(), ['onData', 'onData', 'onPing', 'onMessageEnd', 'onCompleted']);
  assert.deepEqual(log[0], ['onData', 'Hel', true, { conversationId: 'c-1', taskId: T, messageId: 'm-1' }]);
  assert.equal(log[1][2], false);
  assert.deepEqual(log.at(-1), ['onCompleted', false]);
  assert.equal(handle.taskId, T);
  assert.equal(handle.lastEventId, `${T}:3`);
  assert.deepEqual(calls[1].body, { inputs: {}, conversation_id: '', parent_message_id: null, query: 'hi',
    response_mode: 'streaming' });
});

test('workflow events reach their callbacks; the task id comes from workflow_started', async () => {
  const events = [
    { event: 'workflow_started', task_id: 'w-task', workflow_run_id: 'r', data: { id: 'r' } },
    { event: 'node_started', task_id: 'w-task', data: { node_id: 'start', title: 'Start' } },
    { event: 'node_finished', task_id: 'w-task', data: { node_id: 'start', status: 'succeeded' } },
    { event: 'iteration_started', task_id: 'w-task', data: {} },
    { event: 'text_chunk', task_id: 'w-task', data: { text: 'Hi' } },
    { event: 'tts_message', task_id: 'w-task', message_id: 'm', audio: 'AAA' },
    { event: 'something_new', task_id: 'w-task' },
    { event: 'workflow_finished', task_id: 'w-task', data: { status: 'succeeded', outputs: { result: 'Hi' } } },
  ];
  const { web } = client({ 'POST /api/workflows/run': () => sseResponse([frames('w-task', events)]) });
  const { log, callbacks, names } = recorder();
  const handle = web.runWorkflow({ inputs: { q: 'x' } }, callbacks);
  await handle.done;
  assert.deepEqual(names(), ['onWorkflowStarted', 'onNodeStarted', 'onNodeFinished', 'onIterationStart',
    'onTextChunk', 'onTTSChunk', 'onUnknownEvent', 'onWorkflowFinished', 'onCompleted']);
  assert.equal(log[4][1].data.text, 'Hi');
  assert.deepEqual(log[5], ['onTTSChunk', 'm', 'AAA', undefined]);
  assert.equal(handle.taskId, 'w-task');
});

test('an error event calls onError and ends the run with onCompleted(true)', async () => {
  const error = { event: 'error', message_id: 'm-1', code: 'completion_request_error', status: 400, message: 'boom' };
  const body = frames(T, [chatEvent('a'), error, chatEvent('never')]);
  const { web } = client({ 'POST /api/chat-messages': () => sseResponse([body]) });
  const rec = recorder();
  await web.sendChatMessage({ query: 'q' }, rec.callbacks).done;
  assert.deepEqual(rec.names(), ['onData', 'onError', 'onCompleted']);
  assert.deepEqual(rec.log[1][1], { code: 'completion_request_error', message: 'boom', status: 400 });
  assert.deepEqual(rec.log[2], ['onCompleted', true]);
});

test('a refused request is onError with the JSON error; a 401 on the POST re-acquires the passport', async () => {
  const tooMany = () => jsonResponse({ code: 'too_many_requests', message: 'Too many', status: 429 }, 429);
  const { web } = client({ 'POST /api/completion-messages': tooMany });
  const rec = recorder();
  await web.sendCompletionMessage({ inputs: {} }, rec.callbacks).done;
  assert.deepEqual(rec.log, [['onError', { code: 'too_many_requests', message: 'Too many', status: 429 }],
    ['onCompleted', true]]);
  const unauthorized = () => jsonResponse({ code: 'unauthorized', message: 'x', status: 401 }, 401);
  const ok = () => sseResponse([frames(T, [chatEvent('ok'), END])]);
  const second = client({ 'POST /api/chat-messages': [unauthorized, ok] }, { storage: new MemoryStorage({ 'passport-CODE': 'old' }) });
  const rec2 = recorder();
  await second.web.sendChatMessage({ query: 'q' }, rec2.callbacks).done;
  assert.deepEqual(rec2.names(), ['onData', 'onMessageEnd', 'onCompleted']);
  assert.deepEqual(second.calls.map((c) => c.headers['x-app-passport']), ['old', undefined, 'token-1']);
});

test('ensurePassport keeps a passport the server accepts for this user_id and replaces one it does not', async () => {
  const status = (loggedIn) => () => jsonResponse({ logged_in: true, app_logged_in: loggedIn });
  const storage = new MemoryStorage({ 'passport-CODE': 'alice-token' });
  const kept = client({ 'GET /api/login/status': status(true) }, { storage, userId: 'alice' });
  assert.equal(await kept.web.ensurePassport(), 'alice-token');
  assert.deepEqual(kept.calls[0].query, { app_code: 'CODE', user_id: 'alice' });
  assert.equal(kept.calls[0].headers['x-app-passport'], 'alice-token');
  const replaced = client({ 'GET /api/login/status': status(false) }, { storage, userId: 'bob' });
  assert.equal(await replaced.web.ensurePassport(), 'token-1');
  assert.deepEqual(replaced.calls.map((c) => c.path), ['/api/login/status', '/api/passport']);
  assert.equal(storage.getItem('passport-CODE'), 'token-1');
  const anonymous = client({}, { storage: new MemoryStorage({ 'passport-CODE': 'x' }) });
  assert.equal(await anonymous.web.ensurePassport(), 'x');
  assert.equal(anonymous.calls.length, 0);
});
