// Test doubles: a fake fetch that routes requests to handlers, SSE bodies that end or drop, storage.
const encoder = new TextEncoder();

/** `data:` frames with `id: <task>:<seq>` lines, as the server writes them. */
export function frames(taskId, events, firstSeq = 1) {
  return events.map((event, i) => `id: ${taskId}:${firstSeq + i}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

/**
 * An SSE Response whose body yields `chunks` (strings or bytes) and then ends, or, with
 * `drop: true`, fails the way a cut connection does.
 */
export function sseResponse(chunks, { drop = false, status = 200 } = {}) {
  const queue = chunks.map((c) => (typeof c === 'string' ? encoder.encode(c) : c));
  const body = new ReadableStream({
    pull(controller) {
      if (queue.length) controller.enqueue(queue.shift());
      else if (drop) controller.error(new TypeError('network error'));
      else controller.close();
    },
  });
  return new Response(body, { status, headers: { 'Content-Type': 'text/event-stream' } });
}

export function jsonResponse(body, status = 200) {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status, headers: { 'Content-Type': 'application/json' },
  });
}

export class MemoryStorage {
  constructor(items = {}) { this.items = new Map(Object.entries(items)); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

/**
 * A fetch whose answers come from `routes`: `{"GET /api/passport": handler | [handler, ...]}`; an
 * array answers its handlers in turn (the last one repeats). Every call is kept in `calls`.
 */
export function fakeFetch(routes) {
  const calls = [];
  const served = new Map();
  const fetch = async (input, init = {}) => {
    const url = new URL(String(input), 'http://test.local');
    const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const call = { method: init.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams),
      headers, body: init.body ? JSON.parse(init.body) : undefined, signal: init.signal };
    calls.push(call);
    const key = `${call.method} ${call.path}`;
    const route = routes[key];
    if (!route) return jsonResponse({ code: 'not_found', message: `no route ${key}`, status: 404 }, 404);
    const handlers = Array.isArray(route) ? route : [route];
    const index = served.get(key) ?? 0;
    served.set(key, index + 1);
    return handlers[Math.min(index, handlers.length - 1)](call);
  };
  return { fetch, calls };
}

/** A passport route that hands out token-1, token-2, ... */
export function passportRoute() {
  let n = 0;
  return () => jsonResponse({ access_token: `token-${++n}` });
}

/** Records every callback invocation as [name, ...args]. */
export function recorder(extra = {}) {
  const log = [];
  const names = ['onData', 'onThought', 'onFile', 'onMessageEnd', 'onMessageReplace', 'onWorkflowStarted',
    'onWorkflowFinished', 'onNodeStarted', 'onNodeFinished', 'onNodeRetry', 'onIterationStart', 'onIterationNext',
    'onIterationFinish', 'onLoopStart', 'onLoopNext', 'onLoopFinish', 'onParallelBranchStarted',
    'onParallelBranchFinished', 'onTextChunk', 'onTextReplace', 'onAgentLog', 'onTTSChunk', 'onTTSEnd', 'onPing',
    'onUnknownEvent', 'onError', 'onResume', 'onAborted', 'onCompleted'];
  const callbacks = Object.fromEntries(names.map((name) => [name, (...args) => log.push([name, ...args])]));
  return { log, callbacks: { ...callbacks, ...extra }, names: () => log.map((entry) => entry[0]) };
}
