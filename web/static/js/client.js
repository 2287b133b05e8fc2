// Generated from web/client/*.ts by `npm run build` (esbuild); do not edit.

// client/dispatch.ts
var EVENT_CALLBACKS = {
  agent_thought: "onThought",
  message_file: "onFile",
  message_end: "onMessageEnd",
  message_replace: "onMessageReplace",
  workflow_started: "onWorkflowStarted",
  workflow_finished: "onWorkflowFinished",
  node_started: "onNodeStarted",
  node_finished: "onNodeFinished",
  node_retry: "onNodeRetry",
  iteration_started: "onIterationStart",
  iteration_next: "onIterationNext",
  iteration_completed: "onIterationFinish",
  loop_started: "onLoopStart",
  loop_next: "onLoopNext",
  loop_completed: "onLoopFinish",
  parallel_branch_started: "onParallelBranchStarted",
  parallel_branch_finished: "onParallelBranchFinished",
  text_chunk: "onTextChunk",
  text_replace: "onTextReplace",
  agent_log: "onAgentLog"
};
function terminalEvent(kind) {
  return kind === "workflow" ? "workflow_finished" : "message_end";
}
function toWebError(body, status) {
  const value = body && typeof body === "object" ? body : {};
  return {
    code: typeof value.code === "string" ? value.code : "unknown",
    message: typeof value.message === "string" ? value.message : `Request failed with status ${status}.`,
    status: typeof value.status === "number" ? value.status : status
  };
}
var EventDispatcher = class {
  constructor(callbacks, terminal) {
    this.callbacks = callbacks;
    this.terminal = terminal;
    this.isFirst = true;
  }
  handle(event, id2) {
    const cb = this.callbacks;
    if (typeof event.task_id === "string" && event.task_id) this.taskId = event.task_id;
    if (typeof event.conversation_id === "string" && event.conversation_id) {
      this.conversationId = event.conversation_id;
    }
    if (typeof event.message_id === "string" && event.message_id) this.messageId = event.message_id;
    cb.onEvent?.(event, id2);
    const name = event.event;
    if (!name || name === "error") {
      cb.onError?.(toWebError(event, 500));
      return "error";
    }
    if (name === "message" || name === "agent_message") {
      if (event.id) this.messageId = event.id;
      const meta = { conversationId: this.conversationId, taskId: this.taskId, messageId: this.messageId };
      cb.onData?.(typeof event.answer === "string" ? event.answer : "", this.isFirst, meta);
      this.isFirst = false;
    } else if (name === "tts_message") {
      cb.onTTSChunk?.(event.message_id, event.audio, event.audio_type);
    } else if (name === "tts_message_end") {
      cb.onTTSEnd?.(event.message_id, event.audio);
    } else if (EVENT_CALLBACKS[name]) {
      cb[EVENT_CALLBACKS[name]]?.(event);
    } else {
      cb.onUnknownEvent?.(event);
    }
    return name === this.terminal ? "terminal" : "continue";
  }
};

// client/http.ts
var ApiError = class extends Error {
  constructor(error) {
    super(error.message);
    this.name = "ApiError";
    this.code = error.code;
    this.status = error.status;
  }
};
var MemoryStorage = class {
  constructor() {
    this.items = /* @__PURE__ */ new Map();
  }
  getItem(key) {
    return this.items.get(key) ?? null;
  }
  setItem(key, value) {
    this.items.set(key, value);
  }
  removeItem(key) {
    this.items.delete(key);
  }
};
function defaultStorage() {
  try {
    const storage = globalThis.localStorage;
    if (storage) return storage;
  } catch {
  }
  return new MemoryStorage();
}
async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return new ApiError(toWebError(body, response.status));
}
var HttpClient = class {
  constructor(options) {
    this.acquiring = null;
    this.appCode = options.appCode;
    this.baseUrl = (options.baseUrl ?? "/api").replace(/\/+$/, "");
    this.userId = options.userId;
    this.storage = options.storage ?? defaultStorage();
    const impl = options.fetch ?? globalThis.fetch;
    this.fetchImpl = (input, init) => impl(input, init);
  }
  get passportKey() {
    return `passport-${this.appCode}`;
  }
  storedPassport() {
    return this.storage.getItem(this.passportKey);
  }
  forgetPassport() {
    this.storage.removeItem(this.passportKey);
  }
  url(path, query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== void 0 && value !== null) params.set(key, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ""}`;
  }
  /** `GET /passport` with `X-App-Code`; stores and returns the token. Concurrent callers share one request. */
  acquirePassport() {
    if (!this.acquiring) {
      this.acquiring = this.fetchPassport().finally(() => {
        this.acquiring = null;
      });
    }
    return this.acquiring;
  }
  async fetchPassport() {
    const response = await this.fetchImpl(this.url("/passport", { user_id: this.userId }), {
      headers: { "X-App-Code": this.appCode },
      credentials: "same-origin"
    });
    if (!response.ok) throw await errorOf(response);
    const token = (await response.json()).access_token;
    this.storage.setItem(this.passportKey, token);
    return token;
  }
  /** The stored passport, or a new one. */
  async passport() {
    return this.storedPassport() ?? this.acquirePassport();
  }
  /** An authenticated request; a 401 drops the passport, fetches a new one and retries once. */
  async send(method, path, options = {}) {
    const response = await this.sendWith(await this.passport(), method, path, options);
    if (response.status !== 401) return response;
    this.forgetPassport();
    return this.sendWith(await this.acquirePassport(), method, path, options);
  }
  /** A request without a passport (the login-flow routes). */
  sendPublic(method, path, options = {}) {
    return this.sendWith(null, method, path, options);
  }
  sendWith(token, method, path, options) {
    const headers = { "X-App-Code": this.appCode, ...options.headers };
    if (token) headers["X-App-Passport"] = token;
    let body;
    if (options.body !== void 0) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    return this.fetchImpl(this.url(path, options.query), {
      method,
      headers,
      body,
      signal: options.signal,
      credentials: "same-origin"
    });
  }
  /** JSON in, JSON out; a 204 becomes `{result: "success"}` as in Dify's front end. Throws ApiError. */
  async json(method, path, options = {}, auth = true) {
    const response = auth ? await this.send(method, path, options) : await this.sendPublic(method, path, options);
    if (!response.ok) throw await errorOf(response);
    if (response.status === 204) return { result: "success" };
    return await response.json();
  }
};

// client/sse.ts
var SseParser = class {
  constructor(onFrame, onComment) {
    this.onFrame = onFrame;
    this.onComment = onComment;
    this.decoder = new TextDecoder("utf-8");
    this.pending = "";
    this.skipLF = false;
    this.data = [];
    this.eventName = "";
    this.frameHasId = false;
  }
  /** Feed the next piece of the body (bytes, or already decoded text). */
  push(chunk) {
    this.feed(typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true }));
  }
  /** The body ended: flush the decoder. An unterminated last frame is dropped, as the standard says. */
  end() {
    this.feed(this.decoder.decode());
    this.pending = "";
    this.resetFrame();
  }
  feed(text) {
    if (!text) return;
    let pos = 0;
    if (this.skipLF) {
      this.skipLF = false;
      if (text[0] === "\n") pos = 1;
    }
    while (pos < text.length) {
      const cr = text.indexOf("\r", pos);
      const lf = text.indexOf("\n", pos);
      const end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
      if (end < 0) {
        this.pending += text.slice(pos);
        return;
      }
      const line = this.pending + text.slice(pos, end);
      this.pending = "";
      pos = end + 1;
      if (text[end] === "\r") {
        if (pos === text.length) this.skipLF = true;
        else if (text[pos] === "\n") pos += 1;
      }
      this.line(line);
    }
  }
  line(line) {
    if (line === "") return this.dispatch();
    if (line[0] === ":") return this.onComment?.(line.slice(1));
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value[0] === " ") value = value.slice(1);
    if (name === "data") this.data.push(value);
    else if (name === "event") this.eventName = value;
    else if (name === "id" && !value.includes("\0")) {
      this.lastEventId = value;
      this.frameHasId = true;
    } else if (name === "retry" && /^\d+$/.test(value)) this.retry = Number(value);
  }
  dispatch() {
    if (this.data.length || this.eventName) {
      this.onFrame({
        event: this.eventName || "message",
        data: this.data.join("\n"),
        hasData: this.data.length > 0,
        id: this.lastEventId,
        hasId: this.frameHasId,
        retry: this.retry
      });
    }
    this.resetFrame();
  }
  resetFrame() {
    this.data = [];
    this.eventName = "";
    this.frameHasId = false;
    this.retry = void 0;
  }
};

// client/stream.ts
function kindOfPath(path) {
  if (path.includes("/workflows/run") || path.startsWith("/workflow/")) return "workflow";
  return path.includes("/completion-messages") ? "completion" : "chat";
}
function stopPath(kind, taskId) {
  const id2 = encodeURIComponent(taskId);
  if (kind === "workflow") return `/workflows/tasks/${id2}/stop`;
  return kind === "completion" ? `/completion-messages/${id2}/stop` : `/chat-messages/${id2}/stop`;
}
function resumePath(kind, taskId) {
  const id2 = encodeURIComponent(taskId);
  return kind === "workflow" ? `/workflow/${id2}/events` : `/chat-messages/${id2}/events`;
}
function sequenceOf(id2) {
  const match = /:(\d+)$/.exec(id2);
  return match ? Number(match[1]) : null;
}
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
var NETWORK_ERROR = { code: "network_error", message: "The server could not be reached.", status: 0 };
var CONNECTION_LOST = { code: "connection_lost", message: "The connection to the server was lost.", status: 0 };
var StreamHandle = class {
  constructor(http, start, callbacks, options) {
    this.http = http;
    this.callbacks = callbacks;
    this.controller = new AbortController();
    this.lastSeq = -1;
    this.attempts = 0;
    this.finished = false;
    this.errored = false;
    this.hasError = false;
    this.aborted = false;
    this.stopRequested = false;
    this.stopSent = false;
    this.kind = options.kind;
    this.maxRetries = options.maxRetries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 300;
    this.knownTaskId = options.taskId;
    this.lastEventId = options.lastEventId;
    if (options.lastEventId) this.lastSeq = sequenceOf(options.lastEventId) ?? -1;
    this.dispatcher = new EventDispatcher(callbacks, terminalEvent(this.kind));
    options.signal?.addEventListener("abort", () => this.abort(), { once: true });
    this.done = this.run(start);
  }
  /** The run's task id, once the first event named it. */
  get taskId() {
    if (this.dispatcher.taskId) return this.dispatcher.taskId;
    if (this.knownTaskId) return this.knownTaskId;
    const id2 = this.lastEventId;
    return id2 && sequenceOf(id2) !== null ? id2.slice(0, id2.lastIndexOf(":")) : void 0;
  }
  get conversationId() {
    return this.dispatcher.conversationId;
  }
  get messageId() {
    return this.dispatcher.messageId;
  }
  /** Stop reading now (the run itself goes on server-side; use `stop()` to end it). */
  abort() {
    if (this.aborted) return;
    this.aborted = true;
    this.controller.abort();
  }
  /** Ask the server to stop the run; the stream then ends with the run's final event. */
  async stop() {
    this.stopRequested = true;
    const taskId = this.taskId;
    if (!taskId || this.stopSent) return;
    this.stopSent = true;
    await this.http.json("POST", stopPath(this.kind, taskId));
  }
  async run(start) {
    try {
      let response = await this.open(start);
      while (response) {
        const outcome = await this.read(response);
        response = outcome === "dropped" ? await this.reconnect() : null;
      }
    } finally {
      if (this.aborted) this.callbacks.onAborted?.();
      this.callbacks.onCompleted?.(this.hasError);
    }
  }
  async open(start) {
    let response;
    try {
      response = await start(this.controller.signal);
    } catch {
      if (!this.aborted) this.fail(NETWORK_ERROR);
      return null;
    }
    if (!response.ok) {
      this.fail(await errorOf(response));
      return null;
    }
    return response;
  }
  async reconnect() {
    while (!this.aborted && this.attempts < this.maxRetries && this.taskId && this.lastEventId) {
      this.attempts += 1;
      const lastEventId = this.lastEventId;
      this.callbacks.onResume?.(this.attempts, lastEventId);
      await sleep(this.retryDelayMs * 2 ** (this.attempts - 1), this.controller.signal);
      if (this.aborted) return null;
      try {
        const response = await this.http.send("GET", resumePath(this.kind, this.taskId), {
          headers: { "Last-Event-ID": lastEventId, Accept: "text/event-stream" },
          signal: this.controller.signal
        });
        if (response.ok) return response;
        if (response.status < 500) {
          this.fail(await errorOf(response));
          return null;
        }
      } catch {
      }
    }
    if (!this.aborted) this.fail(CONNECTION_LOST);
    return null;
  }
  async read(response) {
    if (!response.body) return "dropped";
    const reader = response.body.getReader();
    const parser = new SseParser((frame) => this.frame(frame));
    const cancel = () => {
      reader.cancel().catch(() => void 0);
    };
    this.controller.signal.addEventListener("abort", cancel, { once: true });
    try {
      for (; ; ) {
        const chunk = await this.next(reader);
        if (!chunk || chunk.done || this.aborted) break;
        parser.push(chunk.value);
        if (this.errored) {
          cancel();
          return "error";
        }
      }
      parser.end();
    } finally {
      this.controller.signal.removeEventListener("abort", cancel);
    }
    return this.outcome();
  }
  /** The next chunk, or null when the connection broke. */
  async next(reader) {
    try {
      return await reader.read();
    } catch {
      return null;
    }
  }
  outcome() {
    if (this.errored) return "error";
    if (this.finished) return "terminal";
    return this.aborted ? "aborted" : "dropped";
  }
  frame(frame) {
    if (this.aborted || this.errored) return;
    if (!frame.hasData) {
      if (frame.event === "ping") this.callbacks.onPing?.();
      return;
    }
    if (frame.hasId && frame.id !== void 0) {
      const seq = sequenceOf(frame.id);
      if (seq !== null && seq <= this.lastSeq) return;
      if (seq !== null) this.lastSeq = seq;
      this.lastEventId = frame.id;
    }
    let event;
    try {
      event = JSON.parse(frame.data);
    } catch {
      return;
    }
    this.attempts = 0;
    if (event.event === "error" && event.resumable === true) return;
    this.note(this.dispatcher.handle(event, frame.hasId ? frame.id : void 0));
  }
  note(outcome) {
    if (outcome === "terminal") this.finished = true;
    if (outcome === "error") {
      this.errored = true;
      this.hasError = true;
    }
    if (this.stopRequested && !this.stopSent && this.taskId) this.stop().catch(() => void 0);
  }
  fail(error) {
    this.hasError = true;
    this.callbacks.onError?.({ code: error.code, message: error.message, status: error.status });
  }
};
function openStream(http, start, callbacks, options) {
  return new StreamHandle(http, start, callbacks, options);
}

// client/ws.ts
var CLOSED = { code: "connection_closed", message: "The connection to the server closed.", status: 0 };
var WsRun = class {
  constructor(connection, kind, callbacks) {
    this.connection = connection;
    this.kind = kind;
    this.callbacks = callbacks;
    this.settle = () => void 0;
    this.stopRequested = false;
    this.stopSent = false;
    this.dispatcher = new EventDispatcher(callbacks, terminalEvent(kind));
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }
  get taskId() {
    return this.dispatcher.taskId;
  }
  get messageId() {
    return this.dispatcher.messageId;
  }
  /** Ask the server to stop this run (sent as soon as its task id is known). */
  stop() {
    this.stopRequested = true;
    if (this.taskId && !this.stopSent) {
      this.stopSent = true;
      this.connection.stop(this.taskId);
    }
  }
  /** Handle one event; true when the run is over. */
  handle(event) {
    const outcome = this.dispatcher.handle(event);
    if (this.stopRequested) this.stop();
    if (outcome === "continue") return false;
    this.finish(outcome === "error");
    return true;
  }
  fail(error) {
    this.callbacks.onError?.(error);
    this.finish(true);
  }
  finish(hasError) {
    this.callbacks.onCompleted?.(hasError);
    this.settle();
  }
};
function parse(data) {
  try {
    const value = JSON.parse(String(data));
    return value && typeof value === "object" ? value : null;
  } catch {
    return null;
  }
}
var WsConnection = class {
  constructor(http, options = {}) {
    this.http = http;
    this.options = options;
    this.socket = null;
    this.runs = [];
    this.pongs = [];
  }
  get isOpen() {
    return this.socket !== null;
  }
  /** Connect and authenticate; a refused passport is replaced once. Throws ApiError. */
  async open() {
    try {
      await this.connect(await this.http.passport());
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      this.http.forgetPassport();
      await this.connect(await this.http.acquirePassport());
    }
  }
  url(token) {
    let base = this.options.url;
    if (!base) {
      const page = globalThis.location?.href;
      const url2 = new URL(`${this.http.baseUrl}/ws`, page);
      url2.protocol = url2.protocol === "https:" ? "wss:" : "ws:";
      base = url2.toString();
    }
    const url = new URL(base);
    url.searchParams.set("app_code", this.http.appCode);
    url.searchParams.set("passport", token);
    return url.toString();
  }
  connect(token) {
    const Factory = this.options.WebSocket ?? globalThis.WebSocket;
    return new Promise((resolve, reject) => {
      const socket = new Factory(this.url(token));
      let settled = false;
      const settle = (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => {
        settle(new ApiError({ code: "timeout", message: "The WebSocket did not open in time.", status: 0 }));
        socket.close();
      }, this.options.openTimeoutMs ?? 1e4);
      socket.onopen = () => socket.send(JSON.stringify({ type: "ping" }));
      socket.onerror = () => void 0;
      socket.onclose = () => settled ? this.closed(socket) : settle(new ApiError(CLOSED));
      socket.onmessage = (message) => {
        const value = parse(message.data);
        if (!value || settled) return value ? this.receive(value) : void 0;
        if (value.type === "pong") {
          this.socket = socket;
          this.startKeepAlive();
          settle();
        } else if (value.event === "error") {
          settle(new ApiError(toWebError(value, 401)));
          socket.close();
        }
      };
    });
  }
  chat(body, callbacks) {
    return this.start("chat", { inputs: {}, conversation_id: "", parent_message_id: null, ...body }, callbacks);
  }
  completion(body, callbacks) {
    return this.start("completion", body, callbacks);
  }
  workflow(body, callbacks) {
    return this.start("workflow", body, callbacks);
  }
  /** Stop a run by task id (the server answers `{"type":"stopped"}`, then the run's final event). */
  stop(taskId) {
    this.socket?.send(JSON.stringify({ type: "stop", task_id: taskId }));
  }
  /** Resolves at the server's pong. */
  ping() {
    if (!this.socket) return Promise.reject(new ApiError(CLOSED));
    return new Promise((resolve) => {
      this.pongs.push(resolve);
      this.socket?.send(JSON.stringify({ type: "ping" }));
    });
  }
  close() {
    const socket = this.socket;
    if (socket) {
      socket.close();
      this.closed(socket);
    }
  }
  start(kind, body, callbacks) {
    const run = new WsRun(this, kind, callbacks);
    if (!this.socket) {
      queueMicrotask(() => run.fail(CLOSED));
      return run;
    }
    this.runs.push(run);
    this.socket.send(JSON.stringify({ ...body, type: kind }));
    return run;
  }
  receive(value) {
    if (value.type === "pong") return this.pongs.shift()?.();
    if (value.type === "ping") return this.runs.forEach((run2) => run2.callbacks.onPing?.());
    if (!value.event) return;
    const run = this.route(value);
    if (run && run.handle(value)) this.runs = this.runs.filter((other) => other !== run);
  }
  route(event) {
    const waiting = this.runs.find((run) => !run.taskId);
    if (event.task_id) return this.runs.find((run) => run.taskId === event.task_id) ?? waiting;
    const byMessage = event.message_id ? this.runs.find((run) => run.messageId === event.message_id) : void 0;
    return byMessage ?? waiting ?? (this.runs.length === 1 ? this.runs[0] : void 0);
  }
  startKeepAlive() {
    const every = this.options.keepAliveMs ?? 25e3;
    if (every > 0) this.keepAlive = setInterval(() => {
      this.ping().catch(() => void 0);
    }, every);
  }
  closed(socket) {
    if (this.socket !== socket) return;
    this.socket = null;
    clearInterval(this.keepAlive);
    const runs = this.runs;
    this.runs = [];
    this.pongs = [];
    runs.forEach((run) => run.fail(CLOSED));
    this.options.onClose?.();
  }
};

// client/api.ts
var id = encodeURIComponent;
var WebClient = class extends HttpClient {
  constructor(options) {
    super(options);
  }
  /** POST `path` with `body` and stream the answer; see StreamCallbacks. */
  ssePost(path, body, callbacks, options = {}) {
    const start = (signal) => this.send("POST", path, {
      body,
      signal,
      headers: { Accept: "text/event-stream" }
    });
    return openStream(this, start, callbacks, { ...options, kind: options.kind ?? kindOfPath(path) });
  }
  /** Follow a run from just after `lastEventId` (`0`-based replay when omitted). */
  resume(kind, taskId, lastEventId, callbacks, options = {}) {
    const headers = { Accept: "text/event-stream" };
    if (lastEventId) headers["Last-Event-ID"] = lastEventId;
    const start = (signal) => this.send("GET", resumePath(kind, taskId), { headers, signal });
    return openStream(this, start, callbacks, { ...options, kind, taskId, lastEventId });
  }
  sendChatMessage(body, callbacks, options) {
    const request = { inputs: {}, conversation_id: "", parent_message_id: null, ...body, response_mode: "streaming" };
    return this.ssePost("/chat-messages", request, callbacks, { ...options, kind: "chat" });
  }
  sendCompletionMessage(body, callbacks, options) {
    return this.ssePost(
      "/completion-messages",
      { ...body, response_mode: "streaming" },
      callbacks,
      { ...options, kind: "completion" }
    );
  }
  runWorkflow(body, callbacks, options) {
    return this.ssePost(
      "/workflows/run",
      { ...body, response_mode: "streaming" },
      callbacks,
      { ...options, kind: "workflow" }
    );
  }
  chatBlocking(body) {
    return this.json("POST", "/chat-messages", { body: { inputs: {}, ...body, response_mode: "blocking" } });
  }
  completionBlocking(body) {
    return this.json("POST", "/completion-messages", { body: { ...body, response_mode: "blocking" } });
  }
  runWorkflowBlocking(body) {
    return this.json("POST", "/workflows/run", { body: { ...body, response_mode: "blocking" } });
  }
  stop(kind, taskId) {
    return this.json("POST", stopPath(kind, taskId));
  }
  stopChat(taskId) {
    return this.stop("chat", taskId);
  }
  stopCompletion(taskId) {
    return this.stop("completion", taskId);
  }
  stopWorkflow(taskId) {
    return this.stop("workflow", taskId);
  }
  moreLikeThis(messageId) {
    return this.json("GET", `/messages/${id(messageId)}/more-like-this`, { query: { response_mode: "blocking" } });
  }
  // App info and the login-flow routes.
  getSite() {
    return this.json("GET", "/site");
  }
  getParameters() {
    return this.json("GET", "/parameters");
  }
  getMeta() {
    return this.json("GET", "/meta");
  }
  getSystemFeatures() {
    return this.json("GET", "/system-features", {}, false);
  }
  getAccessMode() {
    return this.json("GET", "/webapp/access-mode", { query: { appCode: this.appCode } }, false);
  }
  getLoginStatus() {
    const token = this.storedPassport();
    const headers = token ? { "X-App-Passport": token } : {};
    return this.json(
      "GET",
      "/login/status",
      { query: { app_code: this.appCode, user_id: this.userId }, headers },
      false
    );
  }
  logout() {
    return this.json("POST", "/logout", {}, false);
  }
  /**
   * Dify's boot step: keep the stored passport unless a `userId` was given and the server says the passport
   * belongs to another end user (`/login/status` → `app_logged_in: false`); then fetch a new one.
   */
  async ensurePassport() {
    const stored = this.storedPassport();
    if (!stored) return this.acquirePassport();
    if (!this.userId || (await this.getLoginStatus()).app_logged_in) return stored;
    this.forgetPassport();
    return this.acquirePassport();
  }
  // Conversations (chat apps).
  getConversations(query = {}) {
    return this.json("GET", "/conversations", { query });
  }
  deleteConversation(conversationId) {
    return this.json("DELETE", `/conversations/${id(conversationId)}`);
  }
  renameConversation(conversationId, name) {
    return this.json("POST", `/conversations/${id(conversationId)}/name`, { body: { name, auto_generate: false } });
  }
  generateConversationName(conversationId) {
    return this.json("POST", `/conversations/${id(conversationId)}/name`, { body: { auto_generate: true } });
  }
  pinConversation(conversationId) {
    return this.json("PATCH", `/conversations/${id(conversationId)}/pin`);
  }
  unpinConversation(conversationId) {
    return this.json("PATCH", `/conversations/${id(conversationId)}/unpin`);
  }
  // Messages.
  getMessages(conversationId, query = {}) {
    return this.json("GET", "/messages", { query: { conversation_id: conversationId, ...query } });
  }
  sendFeedback(messageId, rating, content) {
    return this.json("POST", `/messages/${id(messageId)}/feedbacks`, { body: { rating, content: content ?? null } });
  }
  getSuggestedQuestions(messageId) {
    return this.json("GET", `/messages/${id(messageId)}/suggested-questions`);
  }
  // Saved messages (completion apps).
  getSavedMessages(query = {}) {
    return this.json("GET", "/saved-messages", { query });
  }
  saveMessage(messageId) {
    return this.json("POST", "/saved-messages", { body: { message_id: messageId } });
  }
  deleteSavedMessage(messageId) {
    return this.json("DELETE", `/saved-messages/${id(messageId)}`);
  }
  /** A WebSocket to `/api/ws` carrying the same runs and events; resolves once authenticated. */
  async connectWs(options = {}) {
    const connection = new WsConnection(this, options);
    await connection.open();
    return connection;
  }
};
function createClient(options) {
  return new WebClient(options);
}
export {
  ApiError,
  EVENT_CALLBACKS,
  EventDispatcher,
  HttpClient,
  SseParser,
  StreamHandle,
  WebClient,
  WsConnection,
  WsRun,
  createClient,
  kindOfPath,
  resumePath,
  sequenceOf,
  stopPath,
  terminalEvent
};
