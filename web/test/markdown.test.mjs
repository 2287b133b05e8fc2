// The pages' Markdown renderer: the constructs it supports, and that it never lets HTML through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, renderInline, renderMarkdown } from '../static/js/markdown.js';

test('renders bold, italics, strike-through, inline code and links', () => {
  assert.equal(renderInline('**bold** and *it* and _it2_ and ~~gone~~'),
    '<strong>bold</strong> and <em>it</em> and <em>it2</em> and <del>gone</del>');
  assert.equal(renderInline('use `a < b && *c*` here'), 'use <code>a &lt; b &amp;&amp; *c*</code> here');
  assert.equal(renderInline('[the *docs*](https://example.com/a_b_c?x=1&y=2)'),
    '<a href="https://example.com/a_b_c?x=1&amp;y=2" target="_blank" rel="noopener noreferrer">the <em>docs</em></a>');
  assert.equal(renderInline('snake_case_name and 2*3*4'), 'snake_case_name and 2<em>3</em>4');
});

test('renders blocks: headings, lists, fenced code, quotes, paragraphs with line breaks', () => {
  const text = '# Title\n\nline one\nline two\n\n- a\n- **b**\n  more\n\n3. x\n4. y\n\n```js\nconst x = "<b>";\n```\n> quoted';
  assert.equal(renderMarkdown(text), '<h1>Title</h1><p>line one<br>line two</p>'
    + '<ul><li>a</li><li><strong>b</strong><br>more</li></ul><ol start="3"><li>x</li><li>y</li></ol>'
    + '<pre><code class="language-js">const x = &quot;&lt;b&gt;&quot;;</code></pre><blockquote><p>quoted</p></blockquote>');
});

test('an unclosed fence (a streaming answer) renders the code so far', () => {
  assert.equal(renderMarkdown('Here:\n```py\nprint(1)'), '<p>Here:</p><pre><code class="language-py">print(1)</code></pre>');
});

test('never produces markup from the input: tags, attributes and script URLs stay text', () => {
  const attacks = [
    '<img src=x onerror=alert(1)>', '<script>alert(1)</script>', '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))', '[x](data:text/html;base64,xx)', '[x](//evil.example)',
    '[x](https://a.example" onmouseover="alert(1))', '`</code><script>`', '**<b>**', '```"><script>\nx\n```',
    '# <h1>', '- <li onclick=x>', '> <iframe>', '_<svg onload=alert(1)>_',
  ];
  for (const attack of attacks) {
    const html = renderMarkdown(attack);
    assert.doesNotMatch(html, /<(?!\/?(p|br|strong|em|del|code|pre|h[1-6]|ul|ol|li|blockquote|a)\b)/, attack);
    for (const tag of html.match(/<[^>]*>/g) ?? []) {
      assert.match(tag, /^<\/?[a-z0-9]+>$|^<a href="(https?:|\/[^/])[^"]*" target="_blank" rel="noopener noreferrer">$|^<ol start="\d+">$|^<code class="language-[\w+-]+">$/, attack);
    }
  }
  assert.equal(renderMarkdown('[x](javascript:alert(1))'), '<p>[x](javascript:alert(1))</p>');
  assert.equal(escapeHtml(`<a href="x" title='y'>&`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;');
});
