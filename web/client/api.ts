/** One helper per route of the Web API (controllers/web/__init__.py). */
import { HttpClient, type ClientOptions, type Query } from './http';
import { kindOfPath, openStream, resumePath, stopPath, StreamHandle, type StreamOptions } from './stream';
import type {
  ChatRequest, CompletionRequest, Conversation, Message, Page, Result, RunKind, StreamCallbacks, WorkflowRequest,
} from './types';
import { WsConnection, type WsOptions } from './ws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const id = encodeURIComponent;

export class WebClient extends HttpClient {
  constructor(options: ClientOptions) {
    super(options);
  }

  /** POST `path` with `body` and stream the answer; see StreamCallbacks. */
  ssePost(path: string, body: unknown, callbacks: StreamCallbacks, options: StreamOptions = {}): StreamHandle {
    const start = (signal: AbortSignal) => this.send('POST', path, {
      body, signal, headers: { Accept: 'text/event-stream' },
    });
    return openStream(this, start, callbacks, { ...options, kind: options.kind ?? kindOfPath(path) });
  }

  /** Follow a run from just after `lastEventId` (`0`-based replay when omitted). */
  resume(kind: RunKind, taskId: string, lastEventId: string | undefined, callbacks: StreamCallbacks,
         options: StreamOptions = {}): StreamHandle {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    const start = (signal: AbortSignal) => this.send('GET', resumePath(kind, taskId), { headers, signal });
    return openStream(this, start, callbacks, { ...options, kind, taskId, lastEventId });
  }

  sendChatMessage(body: ChatRequest, callbacks: StreamCallbacks, options?: StreamOptions): StreamHandle {
    const request = { inputs: {}, conversation_id: '', parent_message_id: null, ...body, response_mode: 'streaming' };
    return this.ssePost('/chat-messages', request, callbacks, { ...options, kind: 'chat' });
  }

  sendCompletionMessage(body: CompletionRequest, callbacks: StreamCallbacks, options?: StreamOptions): StreamHandle {
    return this.ssePost('/completion-messages', { ...body, response_mode: 'streaming' }, callbacks,
      { ...options, kind: 'completion' });
  }

  runWorkflow(body: WorkflowRequest, callbacks: StreamCallbacks, options?: StreamOptions): StreamHandle {
    return this.ssePost('/workflows/run', { ...body, response_mode: 'streaming' }, callbacks,
      { ...options, kind: 'workflow' });
  }

  chatBlocking(body: ChatRequest): Promise<Json> {
    return this.json('POST', '/chat-messages', { body: { inputs: {}, ...body, response_mode: 'blocking' } });
  }

  completionBlocking(body: CompletionRequest): Promise<Json> {
    return this.json('POST', '/completion-messages', { body: { ...body, response_mode: 'blocking' } });
  }

  runWorkflowBlocking(body: WorkflowRequest): Promise<Json> {
    return this.json('POST', '/workflows/run', { body: { ...body, response_mode: 'blocking' } });
  }

  stop(kind: RunKind, taskId: string): Promise<Result> {
    return this.json('POST', stopPath(kind, taskId));
  }

  stopChat(taskId: string): Promise<Result> { return this.stop('chat', taskId); }
  stopCompletion(taskId: string): Promise<Result> { return this.stop('completion', taskId); }
  stopWorkflow(taskId: string): Promise<Result> { return this.stop('workflow', taskId); }

  moreLikeThis(messageId: string): Promise<Json> {
    return this.json('GET', `/messages/${id(messageId)}/more-like-this`, { query: { response_mode: 'blocking' } });
  }

  // App info and the login-flow routes.
  getSite(): Promise<Json> { return this.json('GET', '/site'); }
  getParameters(): Promise<Json> { return this.json('GET', '/parameters'); }
  getMeta(): Promise<Json> { return this.json('GET', '/meta'); }
  getSystemFeatures(): Promise<Json> { return this.json('GET', '/system-features', {}, false); }

  getAccessMode(): Promise<{ accessMode: string }> {
    return this.json('GET', '/webapp/access-mode', { query: { appCode: this.appCode } }, false);
  }

  getLoginStatus(): Promise<{ logged_in: boolean; app_logged_in: boolean }> {
    const token = this.storedPassport();
    const headers: Record<string, string> = token ? { 'X-App-Passport': token } : {};
    return this.json('GET', '/login/status', { query: { app_code: this.appCode, user_id: this.userId }, headers },
      false);
  }

  logout(): Promise<Result> { return this.json('POST', '/logout', {}, false); }

  /**
   * Dify's boot step: keep the stored passport unless a `userId` was given and the server says the passport
   * belongs to another end user (`/login/status` → `app_logged_in: false`); then fetch a new one.
   */
  async ensurePassport(): Promise<string> {
    const stored = this.storedPassport();
    if (!stored) return this.acquirePassport();
    if (!this.userId || (await this.getLoginStatus()).app_logged_in) return stored;
    this.forgetPassport();
    return this.acquirePassport();
  }

  // Conversations (chat apps).
  getConversations(query: { limit?: number; pinned?: boolean; last_id?: string; sort_by?: string } = {}):
    Promise<Page<Conversation>> {
    return this.json('GET', '/conversations', { query: query as Query });
  }

  deleteConversation(conversationId: string): Promise<Result> {
    return this.json('DELETE', `/conversations/${id(conversationId)}`);
  }

  renameConversation(conversationId: string, name: string): Promise<Conversation> {
    return this.json('POST', `/conversations/${id(conversationId)}/name`, { body: { name, auto_generate: false } });
  }

  generateConversationName(conversationId: string): Promise<Conversation> {
    return this.json('POST', `/conversations/${id(conversationId)}/name`, { body: { auto_generate: true } });
  }

  pinConversation(conversationId: string): Promise<Result> {
    return this.json('PATCH', `/conversations/${id(conversationId)}/pin`);
  }

  unpinConversation(conversationId: string): Promise<Result> {
    return this.json('PATCH', `/conversations/${id(conversationId)}/unpin`);
  }

  // Messages.
  getMessages(conversationId: string, query: { first_id?: string; limit?: number } = {}): Promise<Page<Message>> {
    return this.json('GET', '/messages', { query: { conversation_id: conversationId, ...query } });
  }

  sendFeedback(messageId: string, rating: 'like' | 'dislike' | null, content?: string): Promise<Result> {
    return this.json('POST', `/messages/${id(messageId)}/feedbacks`, { body: { rating, content: content ?? null } });
  }

  getSuggestedQuestions(messageId: string): Promise<{ data: string[] }> {
    return this.json('GET', `/messages/${id(messageId)}/suggested-questions`);
  }

  // Saved messages (completion apps).
  getSavedMessages(query: { last_id?: string; limit?: number } = {}): Promise<Page<Json>> {
    return this.json('GET', '/saved-messages', { query });
  }

  saveMessage(messageId: string): Promise<Result> {
    return this.json('POST', '/saved-messages', { body: { message_id: messageId } });
  }

  deleteSavedMessage(messageId: string): Promise<Result> {
    return this.json('DELETE', `/saved-messages/${id(messageId)}`);
  }

  /** A WebSocket to `/api/ws` carrying the same runs and events; resolves once authenticated. */
  async connectWs(options: WsOptions = {}): Promise<WsConnection> {
    const connection = new WsConnection(this, options);
    await connection.open();
    return connection;
  }
}

export function createClient(options: ClientOptions): WebClient {
  return new WebClient(options);
}
