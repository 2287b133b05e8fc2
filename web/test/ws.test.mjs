// The WebSocket client against an in-memory fake socket that follows the server's protocol.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebClient } from '../static/js/client.js';
import { MemoryStorage, fakeFetch, passportRoute, recorder } from './fakes.mjs';

/** A fake `/api/ws` server: accepts passports named in `valid`, answers pings, runs `script` per run frame. */
function fakeServer({ valid = ['token-1'], script = () => [] } = {}) {
  const sockets = [];
  class FakeSocket {
    constructor(url) {
      this.url = new URL(url);
      this.sent = [];
      this.closed = false;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      sockets.push(this);
      setTimeout(() => this.onopen?.({}), 0);
    }
    send(text) {
      const frame = JSON.parse(text);
      this.sent.push(frame);
      if (!valid.includes(this.url.searchParams.get('passport'))) {
        this.push({ event: 'error', code: 'unauthorized', message: 'Invalid token.', status: 401 });
        return this.close();
      }
      if (frame.type === 'ping') return this.push({ type: 'pong' });
      if (frame.type === 'stop') return this.push({ type: 'stopped', task_id: frame.task_id, result: 'success' });
      for (const event of script(frame, this)) this.push(event);
    }
    push(payload) { setTimeout(() => !this.closed && this.onmessage?.({ data: JSON.stringify(payload) }), 0); }
    close() {
      if (this.closing) return;
      this.closing = true;
      setTimeout(() => { this.closed = true; this.onclose?.({}); }, 0);
    }
  }
  return { FakeSocket, sockets };
}

function client(storage = new MemoryStorage()) {
  const fake = fakeFetch({ 'GET /api/passport': passportRoute() });
  return { web: new WebClient({ appCode: 'CODE', fetch: fake.fetch, storage, baseUrl: 'http://h.test/api' }),
    calls: fake.calls };
}

const chatEvents = (task, text) => [
  ...[...text].map((ch) => ({ event: 'message', task_id: task, id: `m-${task}`, message_id: `m-${task}`,
    conversation_id: 'c', answer: ch })),
  { event: 'message_end', task_id: task, id: `m-${task}`, message_id: `m-${task}`, conversation_id: 'c' },
];

test('connects to /api/ws with app_code and passport, proves the login with a ping, runs a chat', async () => {
  const { FakeSocket, sockets } = fakeServer({ script: (frame) => chatEvents('t1', frame.query) });
  const { web } = client();
  const connection = await web.connectWs({ WebSocket: FakeSocket, keepAliveMs: 0 });
  const url = sockets[0].url;
  assert.equal(`${url.protocol}//${url.host}${url.pathname}`, 'ws://h.test/api/ws');
  assert.deepEqual(Object.fromEntries(url.searchParams), { app_code: 'CODE', passport: 'token-1' });
  const rec = recorder();
  const run = connection.chat({ query: 'hey' }, rec.callbacks);
  await run.done;
  assert.deepEqual(rec.names(), ['onData', 'onData', 'onData', 'onMessageEnd', 'onCompleted']);
  assert.deepEqual(rec.log[0], ['onData', 'h', true, { conversationId: 'c', taskId: 't1', messageId: 'm-t1' }]);
  assert.deepEqual(sockets[0].sent[1], { inputs: {}, conversation_id: '', parent_message_id: null, query: 'hey',
    type: 'chat' });
  connection.close();
});

test('a refused passport is replaced once and the socket reconnects', async () => {
  const { FakeSocket, sockets } = fakeServer({ valid: ['token-1'] });
  const { web, calls } = client(new MemoryStorage({ 'passport-CODE': 'stale' }));
  const connection = await web.connectWs({ WebSocket: FakeSocket, keepAliveMs: 0 });
  assert.equal(sockets.length, 2);
  assert.equal(sockets[1].url.searchParams.get('passport'), 'token-1');
  assert.equal(calls.filter((c) => c.path === '/api/passport').length, 1);
  assert.ok(connection.isOpen);
  await connection.ping();
  connection.close();
});

test('runs on one socket are routed by task id; stop sends {"type":"stop"}', async () => {
  const { FakeSocket, sockets } = fakeServer({
    script: (frame) => (frame.type === 'workflow'
      ? [{ event: 'workflow_started', task_id: 'w', data: {} }]
      : [chatEvents('a', 'x')[0]]),
  });
  const { web } = client();
  const connection = await web.connectWs({ WebSocket: FakeSocket, keepAliveMs: 0 });
  const chat = recorder();
  const flow = recorder();
  const chatRun = connection.chat({ query: 'q' }, chat.callbacks);
  const flowRun = connection.workflow({ inputs: {} }, flow.callbacks);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(chatRun.taskId, 'a');
  assert.equal(flowRun.taskId, 'w');
  flowRun.stop();
  assert.deepEqual(sockets[0].sent.at(-1), { type: 'stop', task_id: 'w' });
  const socket = sockets[0];
  socket.push({ event: 'workflow_finished', task_id: 'w', data: { status: 'stopped' } });
  socket.push(chatEvents('a', 'x')[1]);
  socket.push({ type: 'ping' });
  await Promise.all([chatRun.done, flowRun.done]);
  assert.deepEqual(flow.names(), ['onWorkflowStarted', 'onWorkflowFinished', 'onCompleted']);
  assert.deepEqual(chat.names(), ['onData', 'onMessageEnd', 'onCompleted']);
  connection.close();
});

test('an error frame ends the run waiting for it; a closed socket fails the runs still going', async () => {
  const { FakeSocket, sockets } = fakeServer({
    script: (frame) => (frame.query === 'bad'
      ? [{ event: 'error', code: 'invalid_param', message: 'query is required', status: 400 }]
      : [chatEvents('t', 'x')[0]]),
  });
  const { web } = client();
  let closed = 0;
  const connection = await web.connectWs({ WebSocket: FakeSocket, keepAliveMs: 0, onClose: () => { closed += 1; } });
  const bad = recorder();
  await connection.chat({ query: 'bad' }, bad.callbacks).done;
  assert.deepEqual(bad.log, [['onError', { code: 'invalid_param', message: 'query is required', status: 400 }],
    ['onCompleted', true]]);
  const going = recorder();
  const run = connection.chat({ query: 'ok' }, going.callbacks);
  await new Promise((resolve) => setTimeout(resolve, 10));
  sockets[0].close();
  await run.done;
  assert.deepEqual(going.names(), ['onData', 'onError', 'onCompleted']);
  assert.equal(going.log[1][1].code, 'connection_closed');
  assert.equal(closed, 1);
  const late = recorder();
  await connection.completion({ inputs: {} }, late.callbacks).done;
  assert.deepEqual(late.names(), ['onError', 'onCompleted']);
});
