/** One helper per route of the Web API (controllers/web/__init__.py). */
import { HttpClient, type ClientOptions } from './http';
import { StreamHandle, type StreamOptions } from './stream';
import type { ChatRequest, CompletionRequest, Conversation, Message, Page, Result, RunKind, StreamCallbacks, WorkflowRequest } from './types';
import { WsConnection, type WsOptions } from './ws';
type Json = Record<string, any>;
export declare class WebClient extends HttpClient {
    constructor(options: ClientOptions);
    /** POST `path` with `body` and stream the answer; see StreamCallbacks. */
    ssePost(path: string, body: unknown, callbacks: StreamCallbacks, options?: StreamOptions): StreamHandle;
    /** Follow a run from just after `lastEventId` (`0`-based replay when omitted). */
    resume(kind: RunKind, taskId: string, lastEventId: string | undefined, callbacks: StreamCallbacks, options?: StreamOptions): StreamHandle;
    sendChatMessage(body: ChatRequest, callbacks: StreamCallbacks, options?: StreamOptions): StreamHandle;
    sendCompletionMessage(body: CompletionRequest, callbacks: StreamCallbacks, options?: StreamOptions): StreamHandle;
    runWorkflow(body: WorkflowRequest, callbacks: StreamCallbacks, options?: StreamOptions): StreamHandle;
    chatBlocking(body: ChatRequest): Promise<Json>;
    completionBlocking(body: CompletionRequest): Promise<Json>;
    runWorkflowBlocking(body: WorkflowRequest): Promise<Json>;
    stop(kind: RunKind, taskId: string): Promise<Result>;
    stopChat(taskId: string): Promise<Result>;
    stopCompletion(taskId: string): Promise<Result>;
    stopWorkflow(taskId: string): Promise<Result>;
    moreLikeThis(messageId: string): Promise<Json>;
    getSite(): Promise<Json>;
    getParameters(): Promise<Json>;
    getMeta(): Promise<Json>;
    getSystemFeatures(): Promise<Json>;
    getAccessMode(): Promise<{
        accessMode: string;
    }>;
    getLoginStatus(): Promise<{
        logged_in: boolean;
        app_logged_in: boolean;
    }>;
    logout(): Promise<Result>;
    /**
     * Dify's boot step: keep the stored passport unless a `userId` was given and the server says the passport
     * belongs to another end user (`/login/status` → `app_logged_in: false`); then fetch a new one.
     */
    ensurePassport(): Promise<string>;
    getConversations(query?: {
        limit?: number;
        pinned?: boolean;
        last_id?: string;
        sort_by?: string;
    }): Promise<Page<Conversation>>;
    deleteConversation(conversationId: string): Promise<Result>;
    renameConversation(conversationId: string, name: string): Promise<Conversation>;
    generateConversationName(conversationId: string): Promise<Conversation>;
    pinConversation(conversationId: string): Promise<Result>;
    unpinConversation(conversationId: string): Promise<Result>;
    getMessages(conversationId: string, query?: {
        first_id?: string;
        limit?: number;
    }): Promise<Page<Message>>;
    sendFeedback(messageId: string, rating: 'like' | 'dislike' | null, content?: string): Promise<Result>;
    getSuggestedQuestions(messageId: string): Promise<{
        data: string[];
    }>;
    getSavedMessages(query?: {
        last_id?: string;
        limit?: number;
    }): Promise<Page<Json>>;
    saveMessage(messageId: string): Promise<Result>;
    deleteSavedMessage(messageId: string): Promise<Result>;
    /** A WebSocket to `/api/ws` carrying the same runs and events; resolves once authenticated. */
    connectWs(options?: WsOptions): Promise<WsConnection>;
}
export declare function createClient(options: ClientOptions): WebClient;
export {};
