/** Routes event objects to the matching callback, as Dify's front end does (spec §6.8-9). */
import type { StreamCallbacks, StreamEvent, WebError } from './types';

type Named = Exclude<keyof StreamCallbacks, 'onData' | 'onTTSChunk' | 'onTTSEnd' | 'onPing' | 'onEvent' |
  'onError' | 'onResume' | 'onAborted' | 'onCompleted'>;

export const EVENT_CALLBACKS: Record<string, Named> = {
  agent_thought: 'onThought',
  message_file: 'onFile',
  message_end: 'onMessageEnd',
  message_replace: 'onMessageReplace',
  workflow_started: 'onWorkflowStarted',
  workflow_finished: 'onWorkflowFinished',
  node_started: 'onNodeStarted',
  node_finished: 'onNodeFinished',
  node_retry: 'onNodeRetry',
  iteration_started: 'onIterationStart',
  iteration_next: 'onIterationNext',
  iteration_completed: 'onIterationFinish',
  loop_started: 'onLoopStart',
  loop_next: 'onLoopNext',
  loop_completed: 'onLoopFinish',
  parallel_branch_started: 'onParallelBranchStarted',
  parallel_branch_finished: 'onParallelBranchFinished',
  text_chunk: 'onTextChunk',
  text_replace: 'onTextReplace',
  agent_log: 'onAgentLog',
};

export type Outcome = 'continue' | 'terminal' | 'error';

/** The event after which a run of this kind is over (an `error` event always is). */
export function terminalEvent(kind: string): string {
  return kind === 'workflow' ? 'workflow_finished' : 'message_end';
}

export function toWebError(body: unknown, status: number): WebError {
  const value = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return {
    code: typeof value.code === 'string' ? value.code : 'unknown',
    message: typeof value.message === 'string' ? value.message : `Request failed with status ${status}.`,
    status: typeof value.status === 'number' ? value.status : status,
  };
}

/** Stateful per run: remembers the task, conversation and message ids and whether text has begun. */
export class EventDispatcher {
  taskId: string | undefined;
  conversationId: string | undefined;
  messageId: string | undefined;
  private isFirst = true;

  constructor(private readonly callbacks: StreamCallbacks, private readonly terminal: string) {}

  handle(event: StreamEvent, id?: string): Outcome {
    const cb = this.callbacks;
    if (typeof event.task_id === 'string' && event.task_id) this.taskId = event.task_id;
    if (typeof event.conversation_id === 'string' && event.conversation_id) {
      this.conversationId = event.conversation_id;
    }
    if (typeof event.message_id === 'string' && event.message_id) this.messageId = event.message_id;
    cb.onEvent?.(event, id);
    const name = event.event;
    if (!name || name === 'error') {
      cb.onError?.(toWebError(event, 500));
      return 'error';
    }
    if (name === 'message' || name === 'agent_message') {
      if (event.id) this.messageId = event.id;
      const meta = { conversationId: this.conversationId, taskId: this.taskId, messageId: this.messageId };
      cb.onData?.(typeof event.answer === 'string' ? event.answer : '', this.isFirst, meta);
      this.isFirst = false;
    } else if (name === 'tts_message') {
      cb.onTTSChunk?.(event.message_id, event.audio, event.audio_type);
    } else if (name === 'tts_message_end') {
      cb.onTTSEnd?.(event.message_id, event.audio);
    } else if (EVENT_CALLBACKS[name]) {
      cb[EVENT_CALLBACKS[name]]?.(event);
    } else {
      cb.onUnknownEvent?.(event);
    }
    return name === this.terminal ? 'terminal' : 'continue';
  }
}
