// Chat messages on screen: question and answer bubbles, the answer's actions, and thread building.
import { copyText, h, throttled } from './common.js';
import { renderMarkdown } from './markdown.js';

/** The parent of a thread's first message (Dify's UUID_NIL). */
export const ROOT_PARENT = '00000000-0000-0000-0000-000000000000';

/**
 * The messages of the current branch, oldest first: from the newest message up through
 * `parent_message_id`; a message without one follows the message before it (linear history).
 */
export function thread(messages) {
  const byId = new Map(messages.map((m, i) => [m.id, { m, i }]));
  const out = [];
  const seen = new Set();
  let current = messages[messages.length - 1];
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    out.unshift(current);
    const parent = current.parent_message_id;
    if (parent === ROOT_PARENT) break;
    current = parent ? byId.get(parent)?.m : messages[byId.get(current.id).i - 1];
  }
  return out;
}

export function questionView(text) {
  return h('div.message.question', {}, h('div.bubble', {}, text));
}

/** A static answer bubble (opening statement). */
export function noteView(markdown) {
  const content = h('div.content.markdown');
  content.innerHTML = renderMarkdown(markdown);
  return h('div.message.answer.opening', {}, h('div.bubble', {}, content));
}

/**
 * An answer bubble that can stream. `actions` = { onFeedback(rating), onRegenerate() }.
 * Returns { root, append(delta), replace(text), fail(message), finish(state), setFeedback(rating), setLast(bool) }.
 */
export function answerView(actions) {
  const content = h('div.content.markdown');
  const status = h('div.status', { hidden: true });
  let text = '';
  const render = throttled(() => { content.innerHTML = renderMarkdown(text); });
  const button = (cls, label, onclick) => h(`button.small.${cls}`, { type: 'button', onclick }, label);
  const like = button('like', 'Like', () => actions.onFeedback('like'));
  const dislike = button('dislike', 'Dislike', () => actions.onFeedback('dislike'));
  const copy = button('copy', 'Copy', () => copyText(text));
  const regenerate = button('regenerate', '↻ Regenerate', () => actions.onRegenerate());
  const bar = h('div.actions', { hidden: true }, like, dislike, copy, regenerate);
  const root = h('div.message.answer', {}, h('div.bubble', {}, content, status), bar);

  const setStatus = (message, kind) => {
    status.textContent = message;
    status.className = `status ${kind}`;
    status.hidden = !message;
  };
  return {
    root,
    get text() { return text; },
    start() { root.classList.add('streaming'); },
    append(delta) { text += delta; render(); },
    replace(full) { text = full; render(); },
    fail(message) { setStatus(message, 'error'); },
    stopped() { setStatus('Stopped', 'info'); },
    finish({ messageId, feedback }) {
      render.flush();
      root.classList.remove('streaming');
      if (messageId) root.dataset.messageId = messageId;
      bar.hidden = !messageId;
      this.setFeedback(feedback || null);
    },
    setFeedback(rating) {
      like.setAttribute('aria-pressed', String(rating === 'like'));
      dislike.setAttribute('aria-pressed', String(rating === 'dislike'));
    },
    setLast(isLast) { regenerate.hidden = !isLast; },
  };
}

/** Suggested questions as buttons that send themselves. */
export function suggestionsView(questions, onPick) {
  if (!questions || !questions.length) return null;
  return h('div.suggested', {}, questions.map((q) => h('button.chip', { type: 'button', onclick: () => onPick(q) }, q)));
}
