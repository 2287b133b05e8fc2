import type { WebError } from './types';
export interface StorageLike {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
}
export interface ClientOptions {
    /** The site code: the last path segment of the page URL. */
    appCode: string;
    /** Where the Web API lives; default `/api` on the page's origin. */
    baseUrl?: string;
    fetch?: typeof fetch;
    /** Where the passport is kept; default `localStorage` (key `passport-<appCode>`, as Dify's front end). */
    storage?: StorageLike;
    /** A stable end-user identity (`GET /api/passport?user_id=`), as the embedded chatbot passes. */
    userId?: string;
}
export type Query = Record<string, string | number | boolean | null | undefined>;
export interface RequestOptions {
    query?: Query;
    body?: unknown;
    headers?: Record<string, string>;
    signal?: AbortSignal;
}
/** A non-2xx answer, carrying the wire error body. */
export declare class ApiError extends Error implements WebError {
    readonly code: string;
    readonly status: number;
    constructor(error: WebError);
}
export declare function errorOf(response: Response): Promise<ApiError>;
export declare class HttpClient {
    readonly appCode: string;
    readonly baseUrl: string;
    readonly userId: string | undefined;
    readonly storage: StorageLike;
    private readonly fetchImpl;
    private acquiring;
    constructor(options: ClientOptions);
    get passportKey(): string;
    storedPassport(): string | null;
    forgetPassport(): void;
    url(path: string, query?: Query): string;
    /** `GET /passport` with `X-App-Code`; stores and returns the token. Concurrent callers share one request. */
    acquirePassport(): Promise<string>;
    private fetchPassport;
    /** The stored passport, or a new one. */
    passport(): Promise<string>;
    /** An authenticated request; a 401 drops the passport, fetches a new one and retries once. */
    send(method: string, path: string, options?: RequestOptions): Promise<Response>;
    /** A request without a passport (the login-flow routes). */
    sendPublic(method: string, path: string, options?: RequestOptions): Promise<Response>;
    private sendWith;
    /** JSON in, JSON out; a 204 becomes `{result: "success"}` as in Dify's front end. Throws ApiError. */
    json<T>(method: string, path: string, options?: RequestOptions, auth?: boolean): Promise<T>;
}
