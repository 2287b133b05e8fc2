// The chat page (/chat/<code>, /chatbot/<code>): conversations, streaming answers, stop, feedback, regenerate.
import { $, boot, errorText, pageClient, toast } from './common.js';
import { conversationList } from './chat-list.js';
import { ROOT_PARENT, answerView, noteView, questionView, suggestionsView, thread } from './chat-view.js';
import { renderForm } from './form.js';

const client = pageClient();
const lastKey = `conversation-${client.appCode}`;
const state = { parameters: {}, conversationId: null, entries: [], handle: null, form: null, list: null };

function remember(id) {
  try {
    if (id) localStorage.setItem(lastKey, id);
    else localStorage.removeItem(lastKey);
  } catch {
    // Storage may be unavailable; the page works without it.
  }
}

function recalled() {
  try {
    return localStorage.getItem(lastKey);
  } catch {
    return null;
  }
}

function setBusy(busy) {
  $('#send').hidden = busy;
  $('#stop').hidden = !busy;
  $('#query').disabled = false;
  document.body.classList.toggle('busy', busy);
}

function scrollToEnd() {
  const box = $('#chat');
  box.scrollTop = box.scrollHeight;
}

function markLast() {
  state.entries.forEach((entry, i) => entry.view.setLast(i === state.entries.length - 1));
}

function showWelcome(isNew) {
  const { opening_statement: opening, suggested_questions: questions, user_input_form: form } = state.parameters;
  const messages = $('#messages');
  messages.replaceChildren();
  if (opening) messages.append(noteView(opening));
  const welcome = $('#welcome');
  welcome.hidden = !isNew;
  if (!isNew) return;
  state.form = renderForm($('#inputs-form'), form);
  const suggested = $('#suggested');
  suggested.replaceChildren();
  const chips = suggestionsView(questions, (q) => send(q));
  if (chips) suggested.append(chips);
}

function closeSidebarOnMobile() {
  document.querySelector('.app').classList.remove('sidebar-open');
}

function newConversation() {
  abortRun();
  state.conversationId = null;
  state.entries = [];
  remember(null);
  state.list.setActive(null);
  showWelcome(true);
  closeSidebarOnMobile();
  $('#query').focus();
}

function addEntry(message, { streaming = false } = {}) {
  const entry = { id: message.id || null, query: message.query, parent: message.parent_message_id || null,
    feedback: message.feedback ? message.feedback.rating : null };
  entry.question = questionView(message.query);
  entry.view = answerView({ onFeedback: (rating) => feedback(entry, rating), onRegenerate: () => regenerate() });
  $('#messages').append(entry.question, entry.view.root);
  if (!streaming) {
    entry.view.replace(message.answer || '');
    if (message.status === 'error' && message.error) entry.view.fail(message.error);
    if (message.status === 'stopped') entry.view.stopped();
    entry.view.finish({ messageId: entry.id, feedback: entry.feedback });
  }
  state.entries.push(entry);
  return entry;
}

async function openConversation(id) {
  abortRun();
  state.conversationId = id;
  state.entries = [];
  remember(id);
  state.list.setActive(id);
  showWelcome(false);
  closeSidebarOnMobile();
  try {
    const page = await client.getMessages(id, { limit: 100 });
    if (state.conversationId !== id) return;
    thread(page.data).forEach((message) => addEntry(message));
    markLast();
    scrollToEnd();
  } catch (error) {
    toast(errorText(error));
    if (error.status === 404) newConversation();
  }
}

function send(query, replace = null) {
  const text = (query || '').trim();
  if (!text || state.handle) return;
  let inputs = {};
  if (!state.conversationId && state.form) {
    try {
      inputs = state.form.values();
    } catch (error) {
      return toast(error.message);
    }
  }
  const previous = state.entries[state.entries.length - 1];
  const parent = replace ? (replace.parent || ROOT_PARENT) : (previous ? previous.id : ROOT_PARENT);
  let entry;
  if (replace) {
    entry = replace;
    const fresh = answerView({ onFeedback: (rating) => feedback(entry, rating), onRegenerate: () => regenerate() });
    entry.view.root.replaceWith(fresh.root);
    Object.assign(entry, { view: fresh, id: null, feedback: null, parent });
  } else {
    entry = addEntry({ query: text, parent_message_id: parent }, { streaming: true });
  }
  $('#welcome').hidden = true;
  $('#query').value = '';
  markLast();
  run(entry, { query: text, inputs, conversation_id: state.conversationId || '', parent_message_id: parent });
}

function run(entry, body) {
  const isNew = !state.conversationId;
  const view = entry.view;
  view.start();
  setBusy(true);
  scrollToEnd();
  const handle = client.sendChatMessage(body, {
    onData(answer, isFirst, meta) {
      if (isFirst && isNew && meta.conversationId) {
        state.conversationId = meta.conversationId;
        remember(meta.conversationId);
      }
      if (meta.messageId) entry.id = meta.messageId;
      view.append(answer);
      scrollToEnd();
    },
    onMessageReplace(event) { view.replace(event.answer || ''); },
    onMessageEnd(event) { entry.id = event.id || event.message_id || entry.id; },
    onError(error) {
      view.fail(error.message);
      toast(error.message);
    },
    onAborted() { entry.aborted = true; },
    onCompleted(hasError) {
      if (entry.stopping) view.stopped();
      view.finish({ messageId: entry.id, feedback: null });
      if (state.handle !== handle) return;
      state.handle = null;
      setBusy(false);
      if (!entry.aborted) afterAnswer(entry, isNew, hasError);
    },
  });
  state.handle = handle;
}

function abortRun() {
  if (!state.handle) return;
  state.handle.abort();
  state.handle = null;
  setBusy(false);
}

async function afterAnswer(entry, isNew, hasError) {
  if (isNew && state.conversationId) {
    await client.generateConversationName(state.conversationId).catch(() => undefined);
  }
  await state.list.refresh();
  state.list.setActive(state.conversationId);
  const follow = state.parameters.suggested_questions_after_answer;
  if (!hasError && entry.id && follow && follow.enabled) {
    try {
      const { data } = await client.getSuggestedQuestions(entry.id);
      const chips = suggestionsView(data, (q) => send(q));
      if (chips && state.entries[state.entries.length - 1] === entry) entry.view.root.append(chips);
    } catch {
      // Suggestions are optional.
    }
  }
}

function stop() {
  const handle = state.handle;
  if (!handle) return;
  const entry = state.entries[state.entries.length - 1];
  if (entry) entry.stopping = true;
  handle.stop().catch((error) => toast(errorText(error)));
}

function regenerate() {
  const entry = state.entries[state.entries.length - 1];
  if (entry && !state.handle) send(entry.query, entry);
}

async function feedback(entry, rating) {
  if (!entry.id) return;
  const next = entry.feedback === rating ? null : rating;
  try {
    await client.sendFeedback(entry.id, next);
    entry.feedback = next;
    entry.view.setFeedback(next);
  } catch (error) {
    toast(errorText(error));
  }
}

function wire() {
  $('#composer').addEventListener('submit', (event) => {
    event.preventDefault();
    send($('#query').value);
  });
  $('#query').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send($('#query').value);
    }
  });
  $('#stop').addEventListener('click', stop);
  $('#new-chat').addEventListener('click', newConversation);
  $('#toggle-sidebar').addEventListener('click', () => document.querySelector('.app').classList.toggle('sidebar-open'));
  $('#backdrop').addEventListener('click', closeSidebarOnMobile);
}

async function main() {
  const { parameters } = await boot(client);
  state.parameters = parameters;
  state.list = conversationList(client, {
    onOpen: openConversation,
    onDeleted: (id) => { if (id === state.conversationId) newConversation(); },
  });
  wire();
  await state.list.refresh();
  const last = recalled();
  if (last && state.list.has(last)) await openConversation(last);
  else newConversation();
  document.body.classList.add('ready');
}

main().catch((error) => console.error(error));
