// The conversation list of the chat page: pinned and other conversations, open, pin, rename, delete.
import { h, toast, errorText } from './common.js';

/**
 * `conversationList(client, { onOpen(id), onDeleted(id) })` renders into #pinned-list and
 * #conversation-list. Returns { refresh(), setActive(id), has(id) }.
 */
export function conversationList(client, { onOpen, onDeleted }) {
  const pinnedBox = document.querySelector('#pinned-list');
  const othersBox = document.querySelector('#conversation-list');
  let pinned = [];
  let others = [];
  let activeId = null;

  async function refresh() {
    try {
      const [p, o] = await Promise.all([client.getConversations({ limit: 100, pinned: true }),
        client.getConversations({ limit: 100, pinned: false })]);
      pinned = p.data;
      others = o.data;
      render();
    } catch (error) {
      toast(errorText(error));
    }
  }

  function render() {
    pinnedBox.replaceChildren(...pinned.map((c) => item(c, true)));
    othersBox.replaceChildren(...others.map((c) => item(c, false)));
    pinnedBox.parentElement.querySelector('.pinned-title').hidden = pinned.length === 0;
    othersBox.parentElement.querySelector('.empty').hidden = pinned.length + others.length > 0;
  }

  function item(conversation, isPinned) {
    const name = h('button.name', { type: 'button', title: conversation.name, onclick: () => onOpen(conversation.id) },
      conversation.name || 'New chat');
    const act = (cls, label, title, onclick) => h(`button.icon.${cls}`, { type: 'button', title, 'aria-label': title,
      onclick: (event) => { event.stopPropagation(); onclick(event.currentTarget); } }, label);
    const li = h('li.conversation-item', { dataset: { id: conversation.id } }, name, h('span.item-actions', {},
      act('pin', isPinned ? '★' : '☆', isPinned ? 'Unpin' : 'Pin', () => togglePin(conversation, isPinned)),
      act('rename', '✎', 'Rename', () => rename(li, conversation)),
      act('delete', '✕', 'Delete', (button) => remove(button, conversation))));
    li.classList.toggle('active', conversation.id === activeId);
    return li;
  }

  async function run(action) {
    try {
      await action();
    } catch (error) {
      toast(errorText(error));
    }
    await refresh();
  }

  function togglePin(conversation, isPinned) {
    return run(() => (isPinned ? client.unpinConversation(conversation.id) : client.pinConversation(conversation.id)));
  }

  function rename(li, conversation) {
    const input = h('input.rename-input', { type: 'text', value: conversation.name, maxLength: 255,
      'aria-label': 'New name' });
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      const value = input.value.trim();
      if (!save || !value || value === conversation.name) return render();
      return run(() => client.renameConversation(conversation.id, value));
    };
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') finish(true);
      if (event.key === 'Escape') finish(false);
    });
    input.addEventListener('blur', () => finish(true));
    li.querySelector('.name').replaceWith(input);
    input.focus();
    input.select();
  }

  function remove(button, conversation) {
    if (!button.classList.contains('confirm')) {
      button.classList.add('confirm');
      button.textContent = 'Delete?';
      setTimeout(() => { button.classList.remove('confirm'); button.textContent = '✕'; }, 4000);
      return;
    }
    return run(async () => {
      await client.deleteConversation(conversation.id);
      onDeleted(conversation.id);
    });
  }

  return {
    refresh,
    has: (id) => pinned.concat(others).some((c) => c.id === id),
    setActive(id) {
      activeId = id;
      for (const li of document.querySelectorAll('.conversation-item')) {
        li.classList.toggle('active', li.dataset.id === id);
      }
    },
  };
}
