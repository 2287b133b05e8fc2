/**
 * The WebSocket transport: `/api/ws?app_code=<code>&passport=<token>`. The client sends
 * `{"type": "chat"|"completion"|"workflow", ...the POST body}`, `{"type": "stop", "task_id"}` and
 * `{"type": "ping"}`; the server answers with the same event objects as SSE, `{"type": "pong"}`,
 * keep-alive `{"type": "ping"}` and `{"event": "error", code, message, status}`.
 *
 * Several runs may share a socket. An event is routed by its `task_id`; the first event of a new
 * run goes to the oldest run that has none yet, so runs started together are matched in order.
 */
import { EventDispatcher } from './dispatch';
import { type HttpClient } from './http';
import type { RunKind, StreamCallbacks, StreamEvent, WebError } from './types';
export interface WsLike {
    send(data: string): void;
    close(code?: number, reason?: string): void;
    onopen: ((event: unknown) => void) | null;
    onmessage: ((event: {
        data: unknown;
    }) => void) | null;
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
/** One run on the socket; `done` settles after `onCompleted`. */
export declare class WsRun {
    private readonly connection;
    readonly kind: RunKind;
    readonly callbacks: StreamCallbacks;
    readonly done: Promise<void>;
    readonly dispatcher: EventDispatcher;
    private settle;
    private stopRequested;
    private stopSent;
    constructor(connection: WsConnection, kind: RunKind, callbacks: StreamCallbacks);
    get taskId(): string | undefined;
    get messageId(): string | undefined;
    /** Ask the server to stop this run (sent as soon as its task id is known). */
    stop(): void;
    /** Handle one event; true when the run is over. */
    handle(event: StreamEvent): boolean;
    fail(error: WebError): void;
    private finish;
}
export declare class WsConnection {
    private readonly http;
    private readonly options;
    private socket;
    private runs;
    private pongs;
    private keepAlive;
    constructor(http: HttpClient, options?: WsOptions);
    get isOpen(): boolean;
    /** Connect and authenticate; a refused passport is replaced once. Throws ApiError. */
    open(): Promise<void>;
    url(token: string): string;
    private connect;
    chat(body: {
        query: string;
        [field: string]: unknown;
    }, callbacks: StreamCallbacks): WsRun;
    completion(body: {
        inputs: Record<string, unknown>;
        [field: string]: unknown;
    }, callbacks: StreamCallbacks): WsRun;
    workflow(body: {
        inputs: Record<string, unknown>;
        [field: string]: unknown;
    }, callbacks: StreamCallbacks): WsRun;
    /** Stop a run by task id (the server answers `{"type":"stopped"}`, then the run's final event). */
    stop(taskId: string): void;
    /** Resolves at the server's pong. */
    ping(): Promise<void>;
    close(): void;
    private start;
    private receive;
    private route;
    private startKeepAlive;
    private closed;
}
