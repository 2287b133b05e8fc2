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

export class SseParser {
  lastEventId: string | undefined;
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  private skipLF = false;
  private data: string[] = [];
  private eventName = '';
  private frameHasId = false;
  private retry: number | undefined;

  constructor(private readonly onFrame: FrameHandler, private readonly onComment?: CommentHandler) {}

  /** Feed the next piece of the body (bytes, or already decoded text). */
  push(chunk: Uint8Array | string): void {
    this.feed(typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
  }

  /** The body ended: flush the decoder. An unterminated last frame is dropped, as the standard says. */
  end(): void {
    this.feed(this.decoder.decode());
    this.pending = '';
    this.resetFrame();
  }

  private feed(text: string): void {
    if (!text) return;
    let pos = 0;
    if (this.skipLF) {
      this.skipLF = false;
      if (text[0] === '\n') pos = 1;
    }
    while (pos < text.length) {
      const cr = text.indexOf('\r', pos);
      const lf = text.indexOf('\n', pos);
      const end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
      if (end < 0) {
        this.pending += text.slice(pos);
        return;
      }
      const line = this.pending + text.slice(pos, end);
      this.pending = '';
      pos = end + 1;
      if (text[end] === '\r') {
        if (pos === text.length) this.skipLF = true;
        else if (text[pos] === '\n') pos += 1;
      }
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line[0] === ':') return this.onComment?.(line.slice(1));
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (name === 'data') this.data.push(value);
    else if (name === 'event') this.eventName = value;
    else if (name === 'id' && !value.includes('\0')) {
      this.lastEventId = value;
      this.frameHasId = true;
    } else if (name === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
  }

  private dispatch(): void {
    if (this.data.length || this.eventName) {
      this.onFrame({
        event: this.eventName || 'message', data: this.data.join('\n'), hasData: this.data.length > 0,
        id: this.lastEventId, hasId: this.frameHasId, retry: this.retry,
      });
    }
    this.resetFrame();
  }

  private resetFrame(): void {
    this.data = [];
    this.eventName = '';
    this.frameHasId = false;
    this.retry = undefined;
  }
}
