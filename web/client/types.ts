/** Shapes shared by the HTTP and WebSocket clients (spec §3.3). */

/** Any event object of the stream: `event` names it; the other fields depend on the event. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StreamEvent = { event?: string; task_id?: string; [field: string]: any };

export interface StreamMeta {
  conversationId?: string;
  taskId?: string;
  messageId?: string;
}

/** The wire error body `{code, message, status}`; status 0 means the network, not the server. */
export interface WebError {
  code: string;
  message: string;
  status: number;
}

export type EventCallback = (event: StreamEvent) => void;

/**
 * One optional callback per event type. Every run calls `onCompleted` exactly once, last,
 * with `hasError` true when it ended with an error (`onError` was called first).
 */
export interface StreamCallbacks {
  onData?(answer: string, isFirst: boolean, meta: StreamMeta): void;
  onThought?: EventCallback;
  onFile?: EventCallback;
  onMessageEnd?: EventCallback;
  onMessageReplace?: EventCallback;
  onWorkflowStarted?: EventCallback;
  onWorkflowFinished?: EventCallback;
  onNodeStarted?: EventCallback;
  onNodeFinished?: EventCallback;
  onNodeRetry?: EventCallback;
  onIterationStart?: EventCallback;
  onIterationNext?: EventCallback;
  onIterationFinish?: EventCallback;
  onLoopStart?: EventCallback;
  onLoopNext?: EventCallback;
  onLoopFinish?: EventCallback;
  onParallelBranchStarted?: EventCallback;
  onParallelBranchFinished?: EventCallback;
  onTextChunk?: EventCallback;
  onTextReplace?: EventCallback;
  onAgentLog?: EventCallback;
  onTTSChunk?(messageId: string, audio: string, audioType?: string): void;
  onTTSEnd?(messageId: string, audio: string): void;
  onPing?(): void;
  /** Every data event, before its own callback; `id` is the SSE event id when there is one. */
  onEvent?(event: StreamEvent, id?: string): void;
  onUnknownEvent?: EventCallback;
  onError?(error: WebError): void;
  /** The stream dropped and is being resumed from `lastEventId` (attempt counts from 1). */
  onResume?(attempt: number, lastEventId: string): void;
  onAborted?(): void;
  onCompleted?(hasError: boolean): void;
}

/** What a run is, for stop and resume routes and for knowing its last event. */
export type RunKind = 'chat' | 'completion' | 'workflow';

export interface ChatRequest {
  query: string;
  inputs?: Record<string, unknown>;
  conversation_id?: string | null;
  parent_message_id?: string | null;
  files?: unknown[];
  response_mode?: 'streaming' | 'blocking';
}

export interface CompletionRequest {
  inputs: Record<string, unknown>;
  query?: string;
  files?: unknown[];
  response_mode?: 'streaming' | 'blocking';
}

export interface WorkflowRequest {
  inputs: Record<string, unknown>;
  files?: unknown[];
  response_mode?: 'streaming' | 'blocking';
}

export interface Page<T> {
  limit: number;
  has_more: boolean;
  data: T[];
}

export interface Conversation {
  id: string;
  name: string;
  inputs: Record<string, unknown>;
  status: string;
  introduction: string | null;
  created_at: number;
  updated_at: number;
}

export interface Message {
  id: string;
  conversation_id: string;
  parent_message_id: string | null;
  inputs: Record<string, unknown>;
  query: string;
  answer: string;
  feedback: { rating: 'like' | 'dislike' } | null;
  status: string;
  error: string | null;
  created_at: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

export interface Result {
  result: string;
}
