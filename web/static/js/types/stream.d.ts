import { type HttpClient } from './http';
import type { RunKind, StreamCallbacks } from './types';
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
export declare function kindOfPath(path: string): RunKind;
export declare function stopPath(kind: RunKind, taskId: string): string;
export declare function resumePath(kind: RunKind, taskId: string): string;
/** `<task_id>:<seq>` → seq, or null when the id has another shape. */
export declare function sequenceOf(id: string): number | null;
/** One running stream. `done` settles after `onCompleted`. */
export declare class StreamHandle {
    private readonly http;
    private readonly callbacks;
    readonly kind: RunKind;
    readonly done: Promise<void>;
    lastEventId: string | undefined;
    private readonly dispatcher;
    private readonly controller;
    private readonly maxRetries;
    private readonly retryDelayMs;
    private lastSeq;
    private attempts;
    private finished;
    private errored;
    private hasError;
    private aborted;
    private stopRequested;
    private stopSent;
    private knownTaskId;
    constructor(http: HttpClient, start: Start, callbacks: StreamCallbacks, options: StreamOptions & {
        kind: RunKind;
    });
    /** The run's task id, once the first event named it. */
    get taskId(): string | undefined;
    get conversationId(): string | undefined;
    get messageId(): string | undefined;
    /** Stop reading now (the run itself goes on server-side; use `stop()` to end it). */
    abort(): void;
    /** Ask the server to stop the run; the stream then ends with the run's final event. */
    stop(): Promise<void>;
    private run;
    private open;
    private reconnect;
    private read;
    /** The next chunk, or null when the connection broke. */
    private next;
    private outcome;
    private frame;
    private note;
    private fail;
}
/** Open a stream with `start` (a fetch that returns the SSE response). */
export declare function openStream(http: HttpClient, start: Start, callbacks: StreamCallbacks, options: StreamOptions & {
    kind: RunKind;
}): StreamHandle;
export {};
