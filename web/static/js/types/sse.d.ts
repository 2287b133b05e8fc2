/**
 * An incremental Server-Sent Events parser (the WHATWG event-stream rules).
 *
 * Bytes may arrive split anywhere, even inside a multi-byte UTF-8 character or between the CR and
 * LF of a CRLF: text is decoded with a streaming TextDecoder and only whole lines are interpreted.
 */
/** One dispatched frame. `event` is "message" unless an `event:` field named it. */
export interface SseFrame {
    event: string;
    data: string;
    hasData: boolean;
    /** The last event id seen so far in the stream (ids persist across frames, as in EventSource). */
    id: string | undefined;
    /** True when this very frame carried an `id:` field. */
    hasId: boolean;
    retry?: number;
}
export type FrameHandler = (frame: SseFrame) => void;
export type CommentHandler = (text: string) => void;
export declare class SseParser {
    private readonly onFrame;
    private readonly onComment?;
    lastEventId: string | undefined;
    private readonly decoder;
    private pending;
    private skipLF;
    private data;
    private eventName;
    private frameHasId;
    private retry;
    constructor(onFrame: FrameHandler, onComment?: CommentHandler | undefined);
    /** Feed the next piece of the body (bytes, or already decoded text). */
    push(chunk: Uint8Array | string): void;
    /** The body ended: flush the decoder. An unterminated last frame is dropped, as the standard says. */
    end(): void;
    private feed;
    private line;
    private dispatch;
    private resetFrame;
}
