/** The llm-web-api browser client: passport, REST helpers, SSE streams with resume, WebSocket. */
export { WebClient, createClient } from './api';
export { ApiError, HttpClient, type ClientOptions, type StorageLike } from './http';
export { SseParser, type SseFrame } from './sse';
export { EventDispatcher, EVENT_CALLBACKS, terminalEvent } from './dispatch';
export { StreamHandle, kindOfPath, resumePath, sequenceOf, stopPath, type StreamOptions } from './stream';
export { WsConnection, WsRun, type WsFactory, type WsLike, type WsOptions } from './ws';
export type * from './types';
