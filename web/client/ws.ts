/**
 * The WebSocket transport: `/api/ws?app_code=<code>&passport=<token>`. The client sends
 * `{"type": "chat"|"completion"|"workflow", ...the POST body}`, `{"type": "stop", "task_id"}` and
 * `{"type": "ping"}`; the server answers with the same event objects as SSE, `{"type": "pong"}`,
 * keep-alive `{"type": "ping"}` and `{"event": "error", code, message, status}`.
 *
 * Several runs may share a socket. An event is routed by its `task_id`; the first event of a new
 * run goes to the oldest run that has none yet, so runs started together are matched in order.
 */
import { EventDispatcher, terminalEvent, toWebError } from './dispatch';
import { ApiError, type HttpClient } from './http';
import type { RunKind, StreamCallbacks, StreamEvent, WebError } from './types';

export interface WsLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WsFactory = new (url: string) => WsLike;

export interface WsOptions {
  /** The socket URL without query; default: `<baseUrl>/ws` on the page's origin, as ws: or wss:. */
  url?: string;
  WebSocket?: WsFactory;
  /** Send `{"type":"ping"}` this often (ms); 0 turns it off. Default 25 000. */
  keepAliveMs?: number;
  /** Give up connecting after this long (ms). Default 10 000. */
  openTimeoutMs?: number;
  onClose?(): void;
}

const CLOSED: WebError = { code: 'connection_closed', message: 'The connection to the server closed.', status: 0 };

/** One run on the socket; `done` settles after `onCompleted`. */
export class WsRun {
  readonly done: Promise<void>;
  readonly dispatcher: EventDispatcher;
  private settle: () => void = () => undefined;
  private stopRequested = false;
  private stopSent = false;

  constructor(private readonly connection: WsConnection, readonly kind: RunKind,
              readonly callbacks: StreamCallbacks) {
    this.dispatcher = new EventDispatcher(callbacks, terminalEvent(kind));
    this.done = new Promise((resolve) => { this.settle = resolve; });
  }

  get taskId(): string | undefined { return this.dispatcher.taskId; }
  get messageId(): string | undefined { return this.dispatcher.messageId; }

  /** Ask the server to stop this run (sent as soon as its task id is known). */
  stop(): void {
    this.stopRequested = true;
    if (this.taskId && !this.stopSent) {
      this.stopSent = true;
      this.connection.stop(this.taskId);
    }
  }

  /** Handle one event; true when the run is over. */
  handle(event: StreamEvent): boolean {
    const outcome = this.dispatcher.handle(event);
    if (this.stopRequested) this.stop();
    if (outcome === 'continue') return false;
    this.finish(outcome === 'error');
    return true;
  }

  fail(error: WebError): void {
    this.callbacks.onError?.(error);
    this.finish(true);
  }

  private finish(hasError: boolean): void {
    this.callbacks.onCompleted?.(hasError);
    this.settle();
  }
}

function parse(data: unknown): StreamEvent | null {
  try {
    const value = JSON.parse(String(data));
    return value && typeof value === 'object' ? (value as StreamEvent) : null;
  } catch {
    return null;
  }
}

export class WsConnection {
  private socket: WsLike | null = null;
  private runs: WsRun[] = [];
  private pongs: Array<() => void> = [];
  private keepAlive: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly http: HttpClient, private readonly options: WsOptions = {}) {}

  get isOpen(): boolean { return this.socket !== null; }

  /** Connect and authenticate; a refused passport is replaced once. Throws ApiError. */
  async open(): Promise<void> {
    try {
      await this.connect(await this.http.passport());
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      this.http.forgetPassport();
      await this.connect(await this.http.acquirePassport());
    }
  }

  url(token: string): string {
    let base = this.options.url;
    if (!base) {
      const page = (globalThis as { location?: { href: string } }).location?.href;
      const url = new URL(`${this.http.baseUrl}/ws`, page);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      base = url.toString();
    }
    const url = new URL(base);
    url.searchParams.set('app_code', this.http.appCode);
    url.searchParams.set('passport', token);
    return url.toString();
  }

  private connect(token: string): Promise<void> {
    const Factory = this.options.WebSocket ?? (globalThis as unknown as { WebSocket: WsFactory }).WebSocket;
    return new Promise((resolve, reject) => {
      const socket = new Factory(this.url(token));
      let settled = false;
      const settle = (error?: ApiError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => {
        settle(new ApiError({ code: 'timeout', message: 'The WebSocket did not open in time.', status: 0 }));
        socket.close();
      }, this.options.openTimeoutMs ?? 10_000);
      // The server answers a ping only after it accepted the passport: that proves the login.
      socket.onopen = () => socket.send(JSON.stringify({ type: 'ping' }));
      socket.onerror = () => undefined;
      socket.onclose = () => (settled ? this.closed(socket) : settle(new ApiError(CLOSED)));
      socket.onmessage = (message) => {
        const value = parse(message.data);
        if (!value || settled) return value ? this.receive(value) : undefined;
        if (value.type === 'pong') {
          this.socket = socket;
          this.startKeepAlive();
          settle();
        } else if (value.event === 'error') {
          settle(new ApiError(toWebError(value, 401)));
          socket.close();
        }
      };
    });
  }

  chat(body: { query: string; [field: string]: unknown }, callbacks: StreamCallbacks): WsRun {
    return this.start('chat', { inputs: {}, conversation_id: '', parent_message_id: null, ...body }, callbacks);
  }

  completion(body: { inputs: Record<string, unknown>; [field: string]: unknown }, callbacks: StreamCallbacks): WsRun {
    return this.start('completion', body, callbacks);
  }

  workflow(body: { inputs: Record<string, unknown>; [field: string]: unknown }, callbacks: StreamCallbacks): WsRun {
    return this.start('workflow', body, callbacks);
  }

  /** Stop a run by task id (the server answers `{"type":"stopped"}`, then the run's final event). */
  stop(taskId: string): void {
    this.socket?.send(JSON.stringify({ type: 'stop', task_id: taskId }));
  }

  /** Resolves at the server's pong. */
  ping(): Promise<void> {
    if (!this.socket) return Promise.reject(new ApiError(CLOSED));
    return new Promise((resolve) => {
      this.pongs.push(resolve);
      this.socket?.send(JSON.stringify({ type: 'ping' }));
    });
  }

  close(): void {
    const socket = this.socket;
    if (socket) {
      socket.close();
      this.closed(socket);
    }
  }

  private start(kind: RunKind, body: Record<string, unknown>, callbacks: StreamCallbacks): WsRun {
    const run = new WsRun(this, kind, callbacks);
    if (!this.socket) {
      queueMicrotask(() => run.fail(CLOSED));
      return run;
    }
    this.runs.push(run);
    this.socket.send(JSON.stringify({ ...body, type: kind }));
    return run;
  }

  private receive(value: StreamEvent): void {
    if (value.type === 'pong') return this.pongs.shift()?.();
    if (value.type === 'ping') return this.runs.forEach((run) => run.callbacks.onPing?.());
    if (!value.event) return; // e.g. {"type":"stopped"}
    const run = this.route(value);
    if (run && run.handle(value)) this.runs = this.runs.filter((other) => other !== run);
  }

  private route(event: StreamEvent): WsRun | undefined {
    const waiting = this.runs.find((run) => !run.taskId);
    if (event.task_id) return this.runs.find((run) => run.taskId === event.task_id) ?? waiting;
    const byMessage = event.message_id ? this.runs.find((run) => run.messageId === event.message_id) : undefined;
    return byMessage ?? waiting ?? (this.runs.length === 1 ? this.runs[0] : undefined);
  }

  private startKeepAlive(): void {
    const every = this.options.keepAliveMs ?? 25_000;
    if (every > 0) this.keepAlive = setInterval(() => { this.ping().catch(() => undefined); }, every);
  }

  private closed(socket: WsLike): void {
    if (this.socket !== socket) return;
    this.socket = null;
    clearInterval(this.keepAlive);
    const runs = this.runs;
    this.runs = [];
    this.pongs = [];
    runs.forEach((run) => run.fail(CLOSED));
    this.options.onClose?.();
  }
}
