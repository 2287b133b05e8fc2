// A small, safe Markdown renderer: the text is HTML-escaped first, then a few constructs become tags.
// Supported: fenced and inline code, headings, bold, italics, strike-through, links (http, https, mailto,
// relative), ordered and unordered lists, block quotes, paragraphs and line breaks.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SAFE_URL = /^(https?:\/\/|mailto:|\/(?!\/)|#|\.{1,2}\/)/i;
const FENCE = /^\s{0,3}(```|~~~)\s*([\w+-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^\s{0,3}&gt;\s?(.*)$/;

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

function emphasis(html) {
  return html
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, '$1<strong>$2</strong>')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '<del>$1</del>')
    .replace(/\*(?=[^\s*])([^*]*?[^\s*])?\*/g, (all, inner) => (inner === undefined ? all : `<em>${inner}</em>`))
    .replace(/(^|[^\w])_(?=[^\s_])([^_]*?[^\s_])?_(?!\w)/g,
      (all, before, inner) => (inner === undefined ? all : `${before}<em>${inner}</em>`));
}

/** Inline Markdown of one block; code spans and links are set aside so emphasis cannot reach into them. */
export function renderInline(text) {
  const kept = [];
  const keep = (html) => `\u0000${kept.push(html) - 1}\u0000`;
  let out = String(text).replace(/\u0000/g, '')
    .replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, ticks, code) => keep(`<code>${escapeHtml(code.trim())}</code>`));
  out = escapeHtml(out).replace(/\[([^\]\n]+)\]\(\s*([^\s)]+)(?:\s+&quot;[^)]*&quot;)?\s*\)/g, (all, label, url) => {
    if (!SAFE_URL.test(url)) return all;
    return keep(`<a href="${url}" target="_blank" rel="noopener noreferrer">${emphasis(label)}</a>`);
  });
  out = emphasis(out).replace(/\n/g, '<br>');
  return out.replace(/\u0000(\d+)\u0000/g, (_, i) => kept[Number(i)]);
}

function fenced(lines, start, fence) {
  const code = [];
  let i = start + 1;
  for (; i < lines.length && !lines[i].trim().startsWith(fence[1]); i += 1) code.push(lines[i]);
  const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : '';
  return { html: `<pre><code${lang}>${escapeHtml(code.join('\n'))}</code></pre>`, next: i + 1 };
}

function list(lines, start) {
  const ordered = /\d/.test(LIST_ITEM.exec(lines[start])[2]);
  const items = [];
  let i = start;
  for (; i < lines.length; i += 1) {
    const item = LIST_ITEM.exec(lines[i]);
    if (item && /\d/.test(item[2]) === ordered) items.push(item[3]);
    else if (item || !lines[i].trim() || !/^\s+/.test(lines[i])) break;
    else items[items.length - 1] += `\n${lines[i].trim()}`;
  }
  const tag = ordered ? 'ol' : 'ul';
  const first = ordered ? parseInt(LIST_ITEM.exec(lines[start])[2], 10) : 1;
  const startAttr = ordered && first !== 1 ? ` start="${first}"` : '';
  return { html: `<${tag}${startAttr}>${items.map((it) => `<li>${renderInline(it)}</li>`).join('')}</${tag}>`, next: i };
}

function isBlockStart(line) {
  return FENCE.test(line) || HEADING.test(line) || LIST_ITEM.test(line) || /^\s{0,3}>/.test(line);
}

/** Markdown text → HTML that contains no tag or attribute the text did not get from the rules above. */
export function renderMarkdown(source) {
  const lines = String(source ?? '').replace(/\r\n?/g, '\n').split('\n');
  const html = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    const heading = HEADING.exec(line);
    let block = null;
    if (!line.trim()) i += 1;
    else if (fence) block = fenced(lines, i, fence);
    else if (heading) {
      const level = heading[1].length;
      block = { html: `<h${level}>${renderInline(heading[2])}</h${level}>`, next: i + 1 };
    } else if (LIST_ITEM.test(line)) block = list(lines, i);
    else if (QUOTE.test(escapeHtml(line))) {
      const quoted = [];
      for (; i < lines.length && /^\s{0,3}>/.test(lines[i]); i += 1) quoted.push(lines[i].replace(/^\s{0,3}>\s?/, ''));
      block = { html: `<blockquote>${renderMarkdown(quoted.join('\n'))}</blockquote>`, next: i };
    } else {
      const para = [line];
      for (i += 1; i < lines.length && lines[i].trim() && !isBlockStart(lines[i]); i += 1) para.push(lines[i]);
      block = { html: `<p>${renderInline(para.join('\n'))}</p>`, next: i };
    }
    if (block) {
      html.push(block.html);
      i = block.next;
    }
  }
  return html.join('');
}
