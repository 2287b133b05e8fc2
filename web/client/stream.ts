/**
 * Streaming runs over SSE: dispatch each frame, track `id:` lines, and when the connection drops
 * before the run's last event, resume through the events route with `Last-Event-ID` (bounded retries).
 */
import { EventDispatcher, terminalEvent, type Outcome } from './dispatch';
import { errorOf, type HttpClient } from './http';
import { SseParser, type SseFrame } from './sse';
import type { RunKind, StreamCallbacks, StreamEvent, WebError } from './types';

export interface StreamOptions {
  /** Which stop and resume routes apply, and which event ends the run; default from the path. */
  kind?: RunKind;
  /** Consecutive reconnection attempts before giving up (default 3); progress resets the count. */
  maxRetries?: number;
  /** The first pause before reconnecting (ms, default 300); it doubles on each failed attempt. */
  retryDelayMs?: number;
  signal?: AbortSignal;
  /** For a stream opened on the events route: the run's task and the last id already seen. */
  taskId?: string;
  lastEventId?: string;
}

type Start = (signal: AbortSignal) => Promise<Response>;
type ReadOutcome = 'terminal' | 'error' | 'dropped' | 'aborted';

export function kindOfPath(path: string): RunKind {
  if (path.includes('/workflows/run') || path.startsWith('/workflow/')) return 'workflow';
  return path.includes('/completion-messages') ? 'completion' : 'chat';
}

export function stopPath(kind: RunKind, taskId: string): string {
  const id = encodeURIComponent(taskId);
  if (kind === 'workflow') return `/workflows/tasks/${id}/stop`;
  return kind === 'completion' ? `/completion-messages/${id}/stop` : `/chat-messages/${id}/stop`;
}

export function resumePath(kind: RunKind, taskId: string): string {
  const id = encodeURIComponent(taskId);
  return kind === 'workflow' ? `/workflow/${id}/events` : `/chat-messages/${id}/events`;
}

/** `<task_id>:<seq>` → seq, or null when the id has another shape. */
export function sequenceOf(id: string): number | null {
  const match = /:(\d+)$/.exec(id);
  return match ? Number(match[1]) : null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

const NETWORK_ERROR: WebError = { code: 'network_error', message: 'The server could not be reached.', status: 0 };
const CONNECTION_LOST: WebError = { code: 'connection_lost', message: 'The connection to the server was lost.', status: 0 };

/** One running stream. `done` settles after `onCompleted`. */
export class StreamHandle {
  readonly kind: RunKind;
  readonly done: Promise<void>;
  lastEventId: string | undefined;
  private readonly dispatcher: EventDispatcher;
  private readonly controller = new AbortController();
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private lastSeq = -1;
  private attempts = 0;
  private finished = false;
  private errored = false;
  private hasError = false;
  private aborted = false;
  private stopRequested = false;
  private stopSent = false;
  private knownTaskId: string | undefined;

  constructor(private readonly http: HttpClient, start: Start, private readonly callbacks: StreamCallbacks,
              options: StreamOptions & { kind: RunKind }) {
    this.kind = options.kind;
    this.maxRetries = options.maxRetries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 300;
    this.knownTaskId = options.taskId;
    this.lastEventId = options.lastEventId;
    if (options.lastEventId) this.lastSeq = sequenceOf(options.lastEventId) ?? -1;
    this.dispatcher = new EventDispatcher(callbacks, terminalEvent(this.kind));
    options.signal?.addEventListener('abort', () => this.abort(), { once: true });
    this.done = this.run(start);
  }

  /** The run's task id, once the first event named it. */
  get taskId(): string | undefined {
    if (this.dispatcher.taskId) return this.dispatcher.taskId;
    if (this.knownTaskId) return this.knownTaskId;
    const id = this.lastEventId;
    return id && sequenceOf(id) !== null ? id.slice(0, id.lastIndexOf(':')) : undefined;
  }

  get conversationId(): string | undefined { return this.dispatcher.conversationId; }
  get messageId(): string | undefined { return this.dispatcher.messageId; }

  /** Stop reading now (the run itself goes on server-side; use `stop()` to end it). */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller.abort();
  }

  /** Ask the server to stop the run; the stream then ends with the run's final event. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    const taskId = this.taskId;
    if (!taskId || this.stopSent) return;
    this.stopSent = true;
    await this.http.json('POST', stopPath(this.kind, taskId));
  }

  private async run(start: Start): Promise<void> {
    try {
      let response = await this.open(start);
      while (response) {
        const outcome = await this.read(response);
        response = outcome === 'dropped' ? await this.reconnect() : null;
      }
    } finally {
      if (this.aborted) this.callbacks.onAborted?.();
      this.callbacks.onCompleted?.(this.hasError);
    }
  }

  private async open(start: Start): Promise<Response | null> {
    let response: Response;
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

  private async reconnect(): Promise<Response | null> {
    while (!this.aborted && this.attempts < this.maxRetries && this.taskId && this.lastEventId) {
      this.attempts += 1;
      const lastEventId = this.lastEventId;
      this.callbacks.onResume?.(this.attempts, lastEventId);
      await sleep(this.retryDelayMs * 2 ** (this.attempts - 1), this.controller.signal);
      if (this.aborted) return null;
      try {
        const response = await this.http.send('GET', resumePath(this.kind, this.taskId), {
          headers: { 'Last-Event-ID': lastEventId, Accept: 'text/event-stream' }, signal: this.controller.signal,
        });
        if (response.ok) return response;
        if (response.status < 500) {
          this.fail(await errorOf(response));
          return null;
        }
      } catch {
        // A network error: try again after a longer pause.
      }
    }
    if (!this.aborted) this.fail(CONNECTION_LOST);
    return null;
  }

  private async read(response: Response): Promise<ReadOutcome> {
    if (!response.body) return 'dropped';
    const reader = response.body.getReader();
    const parser = new SseParser((frame) => this.frame(frame));
    // Not every fetch ties the body to the abort signal: cancel the reader ourselves.
    const cancel = () => { reader.cancel().catch(() => undefined); };
    this.controller.signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const chunk = await this.next(reader);
        if (!chunk || chunk.done || this.aborted) break;
        parser.push(chunk.value); // runs the callbacks: their exceptions propagate to `done`
        if (this.errored) {
          cancel();
          return 'error';
        }
      }
      parser.end();
    } finally {
      this.controller.signal.removeEventListener('abort', cancel);
    }
    return this.outcome();
  }

  /** The next chunk, or null when the connection broke. */
  private async next(reader: ReadableStreamDefaultReader<Uint8Array>) {
    try {
      return await reader.read();
    } catch {
      return null;
    }
  }

  private outcome(): ReadOutcome {
    if (this.errored) return 'error';
    if (this.finished) return 'terminal';
    return this.aborted ? 'aborted' : 'dropped';
  }

  private frame(frame: SseFrame): void {
    if (this.aborted || this.errored) return;
    if (!frame.hasData) {
      if (frame.event === 'ping') this.callbacks.onPing?.();
      return;
    }
    if (frame.hasId && frame.id !== undefined) {
      const seq = sequenceOf(frame.id);
      if (seq !== null && seq <= this.lastSeq) return; // already delivered before a reconnect
      if (seq !== null) this.lastSeq = seq;
      this.lastEventId = frame.id;
    }
    let event: StreamEvent;
    try {
      event = JSON.parse(frame.data) as StreamEvent;
    } catch {
      return; // not JSON: not an event of this API
    }
    this.attempts = 0;
    // The server serving this stream is restarting and the run goes on: read it as a drop, so the
    // stream resumes (Last-Event-ID) on another server process instead of ending with an error.
    if (event.event === 'error' && event.resumable === true) return;
    this.note(this.dispatcher.handle(event, frame.hasId ? frame.id : undefined));
  }

  private note(outcome: Outcome): void {
    if (outcome === 'terminal') this.finished = true;
    if (outcome === 'error') {
      this.errored = true;
      this.hasError = true;
    }
    if (this.stopRequested && !this.stopSent && this.taskId) this.stop().catch(() => undefined);
  }

  private fail(error: WebError): void {
    this.hasError = true;
    this.callbacks.onError?.({ code: error.code, message: error.message, status: error.status });
  }
}

/** Open a stream with `start` (a fetch that returns the SSE response). */
export function openStream(http: HttpClient, start: Start, callbacks: StreamCallbacks,
                           options: StreamOptions & { kind: RunKind }): StreamHandle {
  return new StreamHandle(http, start, callbacks, options);
}
