/** Passport handling and authenticated requests (spec §1): `X-App-Code` + `X-App-Passport`. */
import { toWebError } from './dispatch';
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
export class ApiError extends Error implements WebError {
  readonly code: string;
  readonly status: number;

  constructor(error: WebError) {
    super(error.message);
    this.name = 'ApiError';
    this.code = error.code;
    this.status = error.status;
  }
}

class MemoryStorage implements StorageLike {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null { return this.items.get(key) ?? null; }
  setItem(key: string, value: string): void { this.items.set(key, value); }
  removeItem(key: string): void { this.items.delete(key); }
}

function defaultStorage(): StorageLike {
  try {
    const storage = (globalThis as { localStorage?: StorageLike }).localStorage;
    if (storage) return storage;
  } catch {
    // localStorage can throw (disabled cookies, sandboxed frames): fall back to memory.
  }
  return new MemoryStorage();
}

export async function errorOf(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return new ApiError(toWebError(body, response.status));
}

export class HttpClient {
  readonly appCode: string;
  readonly baseUrl: string;
  readonly userId: string | undefined;
  readonly storage: StorageLike;
  private readonly fetchImpl: typeof fetch;
  private acquiring: Promise<string> | null = null;

  constructor(options: ClientOptions) {
    this.appCode = options.appCode;
    this.baseUrl = (options.baseUrl ?? '/api').replace(/\/+$/, '');
    this.userId = options.userId;
    this.storage = options.storage ?? defaultStorage();
    const impl = options.fetch ?? globalThis.fetch;
    this.fetchImpl = (input, init) => impl(input, init);
  }

  get passportKey(): string {
    return `passport-${this.appCode}`;
  }

  storedPassport(): string | null {
    return this.storage.getItem(this.passportKey);
  }

  forgetPassport(): void {
    this.storage.removeItem(this.passportKey);
  }

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) params.set(key, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  /** `GET /passport` with `X-App-Code`; stores and returns the token. Concurrent callers share one request. */
  acquirePassport(): Promise<string> {
    if (!this.acquiring) {
      this.acquiring = this.fetchPassport().finally(() => { this.acquiring = null; });
    }
    return this.acquiring;
  }

  private async fetchPassport(): Promise<string> {
    const response = await this.fetchImpl(this.url('/passport', { user_id: this.userId }), {
      headers: { 'X-App-Code': this.appCode }, credentials: 'same-origin',
    });
    if (!response.ok) throw await errorOf(response);
    const token = ((await response.json()) as { access_token: string }).access_token;
    this.storage.setItem(this.passportKey, token);
    return token;
  }

  /** The stored passport, or a new one. */
  async passport(): Promise<string> {
    return this.storedPassport() ?? this.acquirePassport();
  }

  /** An authenticated request; a 401 drops the passport, fetches a new one and retries once. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const response = await this.sendWith(await this.passport(), method, path, options);
    if (response.status !== 401) return response;
    this.forgetPassport();
    return this.sendWith(await this.acquirePassport(), method, path, options);
  }

  /** A request without a passport (the login-flow routes). */
  sendPublic(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    return this.sendWith(null, method, path, options);
  }

  private sendWith(token: string | null, method: string, path: string, options: RequestOptions) {
    const headers: Record<string, string> = { 'X-App-Code': this.appCode, ...options.headers };
    if (token) headers['X-App-Passport'] = token;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    return this.fetchImpl(this.url(path, options.query), {
      method, headers, body, signal: options.signal, credentials: 'same-origin',
    });
  }

  /** JSON in, JSON out; a 204 becomes `{result: "success"}` as in Dify's front end. Throws ApiError. */
  async json<T>(method: string, path: string, options: RequestOptions = {}, auth = true): Promise<T> {
    const response = auth ? await this.send(method, path, options) : await this.sendPublic(method, path, options);
    if (!response.ok) throw await errorOf(response);
    if (response.status === 204) return { result: 'success' } as T;
    return (await response.json()) as T;
  }
}
