// The completion page (/completion/<code>): input form, streamed result, stop, more like this, saved messages.
import { $, boot, copyText, errorText, h, pageClient, throttled, toast } from './common.js';
import { renderForm } from './form.js';
import { renderMarkdown } from './markdown.js';

const client = pageClient();
const state = { parameters: {}, form: null, handle: null, stopping: false };

/** A result with its actions; `message` may be a finished message ({id, answer, feedback}). */
function resultCard(message = {}) {
  let text = message.answer || '';
  let messageId = message.id || null;
  let rating = message.feedback ? message.feedback.rating : null;
  const content = h('div.content.markdown');
  const status = h('div.status', { hidden: true });
  const render = throttled(() => { content.innerHTML = renderMarkdown(text); });
  const button = (cls, label, onclick) => h(`button.small.${cls}`, { type: 'button', onclick }, label);
  const like = button('like', 'Like', () => rate('like'));
  const dislike = button('dislike', 'Dislike', () => rate('dislike'));
  const more = button('more-like-this', 'More like this', () => moreLikeThis(card));
  more.hidden = !(state.parameters.more_like_this && state.parameters.more_like_this.enabled);
  const bar = h('div.actions', { hidden: true }, like, dislike, button('copy', 'Copy', () => copyText(text)),
    button('save', 'Save', () => save(messageId)), more);
  const root = h('article.result', {}, content, status, bar);

  async function rate(value) {
    const next = rating === value ? null : value;
    try {
      await client.sendFeedback(messageId, next);
      rating = next;
      showRating();
    } catch (error) {
      toast(errorText(error));
    }
  }
  function showRating() {
    like.setAttribute('aria-pressed', String(rating === 'like'));
    dislike.setAttribute('aria-pressed', String(rating === 'dislike'));
  }
  const card = {
    root,
    get messageId() { return messageId; },
    append(delta) { text += delta; render(); },
    replace(full) { text = full; render(); },
    note(message, kind) {
      status.textContent = message;
      status.className = `status ${kind}`;
      status.hidden = false;
    },
    finish(id) {
      messageId = id || messageId;
      render.flush();
      root.classList.remove('streaming');
      bar.hidden = !messageId;
      showRating();
    },
  };
  if (text) card.finish(messageId);
  return card;
}

function setBusy(busy) {
  $('#run').hidden = busy;
  $('#stop').hidden = !busy;
  state.form.setDisabled(busy);
}

function run() {
  if (state.handle) return;
  let inputs;
  try {
    inputs = state.form.values();
  } catch (error) {
    return toast(error.message);
  }
  showTab('result');
  const card = resultCard();
  card.root.classList.add('streaming');
  $('#results').replaceChildren(card.root);
  let messageId = null;
  state.stopping = false;
  setBusy(true);
  state.handle = client.sendCompletionMessage({ inputs }, {
    onData(answer, isFirst, meta) {
      messageId = meta.messageId || messageId;
      card.append(answer);
    },
    onMessageReplace(event) { card.replace(event.answer || ''); },
    onMessageEnd(event) { messageId = event.id || event.message_id || messageId; },
    onError(error) {
      card.note(error.message, 'error');
      toast(error.message);
    },
    onCompleted() {
      if (state.stopping) card.note('Stopped', 'info');
      card.finish(messageId);
      state.handle = null;
      setBusy(false);
    },
  });
}

function stop() {
  if (!state.handle) return;
  state.stopping = true;
  state.handle.stop().catch((error) => toast(errorText(error)));
}

async function moreLikeThis(card) {
  if (!card.messageId) return;
  const pending = resultCard();
  pending.root.classList.add('streaming', 'variant');
  pending.note('Writing another version…', 'info');
  card.root.after(pending.root);
  try {
    const result = await client.moreLikeThis(card.messageId);
    const variant = resultCard({ id: result.id || result.message_id, answer: result.answer });
    variant.root.classList.add('variant');
    pending.root.replaceWith(variant.root);
  } catch (error) {
    pending.root.remove();
    toast(errorText(error));
  }
}

async function save(messageId) {
  if (!messageId) return;
  try {
    await client.saveMessage(messageId);
    toast('Saved', 'info');
  } catch (error) {
    toast(errorText(error));
  }
}

async function loadSaved() {
  const list = $('#saved-list');
  try {
    const page = await client.getSavedMessages({ limit: 100 });
    list.replaceChildren(...page.data.map((message) => {
      const content = h('div.content.markdown');
      content.innerHTML = renderMarkdown(message.answer);
      const remove = h('button.delete', { type: 'button', onclick: async () => {
        try {
          await client.deleteSavedMessage(message.id);
          await loadSaved();
        } catch (error) {
          toast(errorText(error));
        }
      } }, 'Delete');
      return h('li.saved-item', { dataset: { id: message.id } }, content,
        h('div.actions', {}, h('button.copy', { type: 'button', onclick: () => copyText(message.answer) }, 'Copy'),
          remove));
    }));
    $('#saved-empty').hidden = page.data.length > 0;
  } catch (error) {
    toast(errorText(error));
  }
}

function showTab(name) {
  for (const tab of ['result', 'saved']) {
    $(`#tab-${tab}`).setAttribute('aria-selected', String(tab === name));
    $(`#${tab}-panel`).hidden = tab !== name;
  }
  if (name === 'saved') loadSaved();
}

async function main() {
  const { parameters } = await boot(client);
  state.parameters = parameters;
  state.form = renderForm($('#inputs-form'), parameters.user_input_form);
  $('#run-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  $('#stop').addEventListener('click', stop);
  $('#tab-result').addEventListener('click', () => showTab('result'));
  $('#tab-saved').addEventListener('click', () => showTab('saved'));
  document.body.classList.add('ready');
}

main().catch((error) => console.error(error));
