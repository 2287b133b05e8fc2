// The workflow page (/workflow/<code>): input form, live node progress, streamed text, final outputs, stop.
import { $, boot, copyText, errorText, formatSeconds, h, pageClient, throttled, toast } from './common.js';
import { renderForm } from './form.js';
import { renderMarkdown } from './markdown.js';

const client = pageClient();
const state = { form: null, handle: null, nodes: new Map(), timer: null, startedAt: 0, text: '' };
const STATUS_LABELS = { running: 'Running', succeeded: 'Succeeded', failed: 'Failed', stopped: 'Stopped',
  exception: 'Exception', 'partial-succeeded': 'Partially succeeded', paused: 'Paused' };

const renderText = throttled(() => {
  const box = $('#output-text');
  box.innerHTML = renderMarkdown(state.text);
  box.hidden = !state.text;
});

function setStatus(status, detail = '') {
  const badge = $('#run-status');
  badge.textContent = STATUS_LABELS[status] || status;
  badge.className = `badge ${status}`;
  badge.hidden = false;
  $('#run-detail').textContent = detail;
}

function nodeRow(data) {
  const status = h('span.badge.running', {}, STATUS_LABELS.running);
  const elapsed = h('span.elapsed', {}, '');
  const error = h('div.node-error', { hidden: true });
  const root = h('li.node.running', { dataset: { nodeId: data.node_id, nodeType: data.node_type || '' } },
    h('div.node-head', {}, h('span.node-title', {}, data.title || data.node_id),
      h('span.node-type', {}, data.node_type || ''), status, elapsed), error);
  if (data.iteration_id || data.loop_id) root.classList.add('nested');
  return { root, status, elapsed, error, startedAt: performance.now(), done: false };
}

function tick() {
  const now = performance.now();
  for (const node of state.nodes.values()) {
    if (!node.done) node.elapsed.textContent = formatSeconds((now - node.startedAt) / 1000);
  }
  if (state.handle) $('#run-detail').textContent = formatSeconds((now - state.startedAt) / 1000);
}

function nodeStarted(event) {
  const data = event.data || {};
  const row = nodeRow(data);
  state.nodes.set(data.id || data.node_id, row);
  $('#nodes').append(row.root);
}

function nodeFinished(event) {
  const data = event.data || {};
  const row = state.nodes.get(data.id || data.node_id);
  if (!row) return;
  const status = data.status || 'succeeded';
  row.done = true;
  row.root.className = `node ${status}${row.root.classList.contains('nested') ? ' nested' : ''}`;
  row.status.className = `badge ${status}`;
  row.status.textContent = STATUS_LABELS[status] || status;
  row.elapsed.textContent = formatSeconds(data.elapsed_time ?? (performance.now() - row.startedAt) / 1000);
  if (data.error) {
    row.error.textContent = data.error;
    row.error.hidden = false;
  }
}

function showOutputs(outputs) {
  const box = $('#outputs');
  box.replaceChildren();
  const entries = Object.entries(outputs || {});
  if (!entries.length) return;
  if (entries.length === 1 && typeof entries[0][1] === 'string') {
    state.text = entries[0][1];
    renderText.flush();
  } else {
    const json = JSON.stringify(outputs, null, 2);
    box.append(h('div.outputs-head', {}, h('h3', {}, 'Outputs'),
      h('button.copy', { type: 'button', onclick: () => copyText(json) }, 'Copy')), h('pre.json', {}, json));
  }
  box.hidden = false;
}

function workflowFinished(event) {
  const data = event.data || {};
  for (const [id, node] of state.nodes) {
    if (!node.done) nodeFinished({ data: { id, status: data.status === 'failed' ? 'failed' : 'stopped' } });
  }
  setStatus(data.status || 'succeeded', data.elapsed_time !== undefined ? formatSeconds(data.elapsed_time) : '');
  showOutputs(data.outputs);
  if (data.error && data.status !== 'stopped') toast(data.error);
}

function setBusy(busy) {
  $('#run').hidden = busy;
  $('#stop').hidden = !busy;
  state.form.setDisabled(busy);
  clearInterval(state.timer);
  state.timer = busy ? setInterval(tick, 100) : null;
}

function run() {
  if (state.handle) return;
  let inputs;
  try {
    inputs = state.form.values();
  } catch (error) {
    return toast(error.message);
  }
  state.nodes.clear();
  state.text = '';
  state.startedAt = performance.now();
  $('#nodes').replaceChildren();
  $('#outputs').replaceChildren();
  $('#output-text').replaceChildren();
  $('#result').hidden = false;
  setStatus('running');
  setBusy(true);
  state.handle = client.runWorkflow({ inputs }, {
    onWorkflowStarted(event) { $('#result').dataset.taskId = event.task_id || ''; },
    onNodeStarted: nodeStarted,
    onNodeFinished: nodeFinished,
    onTextChunk(event) {
      state.text += (event.data && event.data.text) || '';
      renderText();
    },
    onTextReplace(event) {
      state.text = (event.data && event.data.text) || '';
      renderText();
    },
    onWorkflowFinished: workflowFinished,
    onError(error) {
      setStatus('failed', error.message);
      toast(error.message);
    },
    onCompleted() {
      state.handle = null;
      setBusy(false);
      renderText.flush();
    },
  });
}

function stop() {
  if (state.handle) state.handle.stop().catch((error) => toast(errorText(error)));
}

async function main() {
  const { parameters } = await boot(client);
  state.form = renderForm($('#inputs-form'), parameters.user_input_form);
  $('#run-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  $('#stop').addEventListener('click', stop);
  document.body.classList.add('ready');
}

main().catch((error) => console.error(error));
