// The SSE parser: frames split at every byte, UTF-8 split across chunks, CRLF, comments, pings, ids.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from '../static/js/client.js';

const encoder = new TextEncoder();

const SAMPLE = [
  ': a comment line\r\n',
  'id: task-1:1\r\n',
  'data: {"event":"message","answer":"héllo 世界 🎉","task_id":"task-1"}\r\n',
  '\r\n',
  'event: ping\n\n',
  'id: task-1:2\n',
  'data: {"event":"message","answer":"ÿ€𝄞"}\n',
  '\n',
  'retry: 1500\r',
  'data:first line\r',
  'data: second line\r',
  '\r',
  ':\n',
  'id: task-1:3\n',
  'event: custom\n',
  'data: {"event":"message_end","id":"m-1"}\n\n',
].join('');

const EXPECTED = [
  { event: 'message', data: '{"event":"message","answer":"héllo 世界 🎉","task_id":"task-1"}', id: 'task-1:1', hasId: true },
  { event: 'ping', data: '', id: 'task-1:1', hasId: false },
  { event: 'message', data: '{"event":"message","answer":"ÿ€𝄞"}', id: 'task-1:2', hasId: true },
  { event: 'message', data: 'first line\nsecond line', id: 'task-1:2', hasId: false, retry: 1500 },
  { event: 'custom', data: '{"event":"message_end","id":"m-1"}', id: 'task-1:3', hasId: true },
];
const COMMENTS = [' a comment line', ''];

function parse(chunks) {
  const frames = [];
  const comments = [];
  const parser = new SseParser((frame) => frames.push(frame), (text) => comments.push(text));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return { frames: frames.map(({ hasData, retry, ...rest }) => (retry === undefined ? rest : { ...rest, retry })), comments };
}

test('parses a whole stream with CRLF, CR and LF line ends, comments, pings and ids', () => {
  const { frames, comments } = parse([encoder.encode(SAMPLE)]);
  assert.deepEqual(frames, EXPECTED);
  assert.deepEqual(comments, COMMENTS);
});

test('gives the same frames for a split at every byte offset', () => {
  const bytes = encoder.encode(SAMPLE);
  for (let cut = 1; cut < bytes.length; cut++) {
    const { frames, comments } = parse([bytes.slice(0, cut), bytes.slice(cut)]);
    assert.deepEqual(frames, EXPECTED, `cut at byte ${cut}`);
    assert.deepEqual(comments, COMMENTS, `cut at byte ${cut}`);
  }
});

test('gives the same frames one byte at a time and for every pair of cuts around a 4-byte character', () => {
  const bytes = encoder.encode(SAMPLE);
  assert.deepEqual(parse([...bytes].map((b) => Uint8Array.of(b))).frames, EXPECTED);
  const emoji = bytes.indexOf(0xf0);
  for (let a = emoji - 2; a < emoji + 5; a++) {
    for (let b = a + 1; b < emoji + 6; b++) {
      const { frames } = parse([bytes.slice(0, a), bytes.slice(a, b), bytes.slice(b)]);
      assert.deepEqual(frames, EXPECTED, `cuts at ${a} and ${b}`);
    }
  }
});

test('a CR at the end of one chunk and the LF at the start of the next make one line end', () => {
  const { frames } = parse(['data: a\r', '\n', '\r', '\ndata: b\r\n\r\n']);
  assert.deepEqual(frames.map((f) => f.data), ['a', 'b']);
});

test('an unterminated last frame is dropped; a leading BOM is ignored', () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('data: one\n\ndata: two\n')]);
  assert.deepEqual(parse([bytes]).frames.map((f) => f.data), ['one']);
});

test('a frame with only an id updates the last id without dispatching', () => {
  const frames = [];
  const parser = new SseParser((frame) => frames.push(frame));
  parser.push('id: t:7\n\ndata: x\n\n');
  assert.equal(frames.length, 1);
  assert.equal(frames[0].id, 't:7');
  assert.equal(frames[0].hasId, false);
  assert.equal(parser.lastEventId, 't:7');
});

test('fields without a colon, unknown fields and ids containing NUL are handled per the standard', () => {
  const { frames } = parse(['data\n\nfoo: bar\ndata: y\nid: a\u0000b\n\n']);
  assert.deepEqual(frames.map((f) => [f.data, f.id]), [['', undefined], ['y', undefined]]);
});
