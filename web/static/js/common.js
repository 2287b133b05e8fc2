// Shared by the pages: the client for this page's app, a tiny DOM builder, toasts and the site header.
import { WebClient } from './client.js';

/** The app code: the last path segment of the page URL, as Dify's front end reads it. */
export function appCode() {
  const parts = window.location.pathname.split('/').filter(Boolean);
  return decodeURIComponent(parts[parts.length - 1] || '');
}

/** The client for this page; `?user_id=` (or Dify's `?sys.user_id=`) keeps a stable end user. */
export function pageClient() {
  const params = new URLSearchParams(window.location.search);
  const userId = params.get('user_id') || params.get('sys.user_id') || undefined;
  const baseUrl = document.body.dataset.apiBase || '/api';
  return new WebClient({ appCode: appCode(), baseUrl, userId });
}

/** `h('button.primary', {onclick}, 'Send')`: an element; strings become text nodes, never HTML. */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const node = document.createElement(tag || 'div');
  if (classes.length) node.className = classes.join(' ');
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name in node && name !== 'list') node[name] = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

export function $(selector) {
  return document.querySelector(selector);
}

/** Show a short message at the bottom of the page. */
export function toast(message, kind = 'error') {
  const box = $('#toasts');
  const item = h(`div.toast.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 6000 : 3000);
}

export function errorText(error) {
  return (error && error.message) || 'Something went wrong.';
}

/** Load the site and parameters, fill the header; on failure show why instead of the page. */
export async function boot(client) {
  try {
    await client.ensurePassport();
    const [site, parameters] = await Promise.all([client.getSite(), client.getParameters()]);
    const info = site.site || {};
    document.title = info.title || document.title;
    $('#app-title').textContent = info.title || 'App';
    if (info.icon_type === 'emoji' && info.icon) {
      const icon = $('#app-icon');
      icon.textContent = info.icon;
      icon.style.background = info.icon_background || 'transparent';
      icon.hidden = false;
    }
    if (info.description) $('#app-description').textContent = info.description;
    if (info.chat_color_theme) document.documentElement.style.setProperty('--accent', info.chat_color_theme);
    return { site, parameters };
  } catch (error) {
    const reason = error && error.status === 404 ? 'This app does not exist or is no longer available.' : errorText(error);
    document.body.replaceChildren(h('main.fatal', {}, h('h1', {}, 'Unavailable'), h('p', {}, reason)));
    throw error;
  }
}

/** Seconds (float) → "0.42 s" / "1m 03s". */
export function formatSeconds(seconds) {
  const value = Number(seconds) || 0;
  if (value < 60) return `${value.toFixed(value < 10 ? 2 : 1)} s`;
  return `${Math.floor(value / 60)}m ${String(Math.round(value % 60)).padStart(2, '0')}s`;
}

/** Re-render at most once per animation frame (streaming answers arrive token by token). */
export function throttled(render) {
  let scheduled = false;
  const run = () => { scheduled = false; render(); };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(run);
    }
  };
  schedule.flush = () => { scheduled = false; render(); };
  return schedule;
}

/** Copy text to the clipboard; toast the outcome. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Copied', 'info');
  } catch {
    toast('Copy is not available here.');
  }
}
