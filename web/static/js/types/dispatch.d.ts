/** Routes event objects to the matching callback, as Dify's front end does (spec §6.8-9). */
import type { StreamCallbacks, StreamEvent, WebError } from './types';
type Named = Exclude<keyof StreamCallbacks, 'onData' | 'onTTSChunk' | 'onTTSEnd' | 'onPing' | 'onEvent' | 'onError' | 'onResume' | 'onAborted' | 'onCompleted'>;
export declare const EVENT_CALLBACKS: Record<string, Named>;
export type Outcome = 'continue' | 'terminal' | 'error';
/** The event after which a run of this kind is over (an `error` event always is). */
export declare function terminalEvent(kind: string): string;
export declare function toWebError(body: unknown, status: number): WebError;
/** Stateful per run: remembers the task, conversation and message ids and whether text has begun. */
export declare class EventDispatcher {
    private readonly callbacks;
    private readonly terminal;
    taskId: string | undefined;
    conversationId: string | undefined;
    messageId: string | undefined;
    private isFirst;
    constructor(callbacks: StreamCallbacks, terminal: string);
    handle(event: StreamEvent, id?: string): Outcome;
}
export {};
