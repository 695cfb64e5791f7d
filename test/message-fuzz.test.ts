// Corpus and mutation fuzzing of src/message: every message of /work/shared/corpus (plus a
// sample of the big mbox) and seeded random byte mutations go through reading, splitting,
// areas, feeding, quoting and the abstract. Checked: no exception, every byte kept except the
// documented changes (Content-Length value, From_ line), and linear cost on huge inputs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, openSync, readFileSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  conditionInput,
  ctime,
  headerArea,
  logAbstract,
  mboxQuoteOffsets,
  readMessage,
  splitMail,
  wholeArea,
  type Message,
} from '../src/message/index.ts';
import { NOW } from './message-helpers.ts';
import { rng } from './helpers/fixtures.ts';

const CORPUS = '/work/shared/corpus';
const NOW_TEXT = ctime(NOW);

function emlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...emlFiles(path));
    else if (name.endsWith('.eml')) out.push(path);
  }
  return out.sort();
}

/** About 60 messages from the first 2 MB of the big mbox (split at blank line + "From "). */
function mboxSample(): Buffer[] {
  const path = join(CORPUS, 'mbox', 'linux-mips-2001-2002.mbox');
  if (!existsSync(path)) return [];
  const buf = Buffer.alloc(2 * 1024 * 1024);
  const fd = openSync(path, 'r');
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const text = buf.subarray(0, n);
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; out.length < 400; i++) {
    const next = text.indexOf('\n\nFrom ', start);
    if (next < 0) break;
    if (i % 5 === 0) out.push(text.subarray(start, next + 2));
    start = next + 2;
  }
  return out;
}

const INSERTS = ['\n', '\n\n', ' ', '\t', '\0', '\r\n', 'From x\n', '\nFrom ', '>', '\nContent-Length: 3\n', 'Subject:', '\n '].map((s) =>
  Buffer.from(s, 'latin1'),
);

/** A few random edits, concentrated on the first KB where the header lives. */
function mutate(input: Buffer, seed: number): Buffer {
  const random = rng(seed);
  let buf = input;
  const edits = 1 + Math.floor(random() * 5);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * Math.min(buf.length + 1, random() < 0.8 ? 1024 : buf.length + 1));
    const kind = random();
    if (kind < 0.3 && buf.length > 0) {
      const copy = Buffer.from(buf);
      copy[Math.min(at, copy.length - 1)] = Math.floor(random() * 256);
      buf = copy;
    } else if (kind < 0.55) {
      buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + Math.floor(random() * 40))]);
    } else if (kind < 0.9) {
      buf = Buffer.concat([buf.subarray(0, at), INSERTS[Math.floor(random() * INSERTS.length)]!, buf.subarray(at)]);
    } else {
      buf = buf.subarray(0, at);
    }
  }
  return buf;
}

/** Everything a message goes through; returns the message read without options. */
function exercise(raw: Buffer, label: string): Message {
  const msg = readMessage(raw, { now: NOW });
  const all = Buffer.concat([msg.head, msg.body]);
  // Bytes kept: identical, or differing only inside the Content-Length value.
  if (!msg.contentLength) {
    assert.ok(all.equals(raw), `${label}: bytes changed`);
  } else {
    assert.equal(all.length, raw.length, `${label}: length changed`);
    const lineEnd = raw.indexOf(0x0a, msg.contentLengthAt);
    const end = lineEnd < 0 ? raw.length : lineEnd;
    assert.ok(all.subarray(0, msg.contentLengthAt).equals(raw.subarray(0, msg.contentLengthAt)), `${label}: before field`);
    assert.ok(all.subarray(end).equals(raw.subarray(end)), `${label}: after field`);
    assert.match(all.toString('latin1', msg.contentLengthAt, end), /^[ 0-9]*$/, `${label}: field value`);
  }
  // The split: head ends with the empty line (or is everything), nothing is lost.
  const parts = splitMail(raw);
  assert.ok(Buffer.concat([parts.head, parts.body]).equals(raw), `${label}: split`);
  assert.equal(parts.head.length, msg.head.length, `${label}: split differs from readMessage`);
  if (parts.body.length > 0) assert.ok(parts.head.toString('latin1').endsWith('\n\n'), `${label}: head end`);
  // Areas have one char per byte; joining only turns newlines into spaces.
  const h = headerArea(msg.head);
  assert.equal(h.length, msg.head.length, `${label}: H length`);
  for (let i = 0; i < h.length; i++) {
    const c = msg.head[i]!;
    if (h.charCodeAt(i) !== c) assert.ok(c === 0x0a && h[i] === ' ', `${label}: H byte ${i}`);
  }
  assert.equal(wholeArea(msg.head, msg.body).length, all.length, `${label}: HB length`);
  // Programs get the area plus at most one newline.
  const fed = Buffer.concat(conditionInput(msg.head, msg.body, 'HB'));
  assert.ok(fed.length - all.length === 0 || fed.length - all.length === 1, `${label}: feed`);
  // Quote offsets: increasing, each at "From " right after a newline.
  let last = -1;
  for (const o of mboxQuoteOffsets(msg, 'whole')) {
    assert.ok(o > last && all[o - 1] === 0x0a && all.toString('latin1', o, o + 5) === 'From ', `${label}: quote at ${o}`);
    last = o;
  }
  // The abstract: 1 to 3 lines, the last one the Folder line.
  const abstract = logAbstract(msg.head, 'inbox', all.length);
  const lines = abstract.split('\n');
  assert.ok(lines.length >= 2 && lines.length <= 4 && lines.at(-1) === '' && lines.at(-2)!.startsWith('  Folder: inbox\t'), `${label}: abstract`);
  // With -f (and -Y, so no Content-Length change): a generated From_ line, then a suffix of the input.
  const withFrom = readMessage(raw, { now: NOW, fromSender: 'fuzz@example.org', berkeley: true });
  const generated = `From fuzz@example.org  ${NOW_TEXT}\n`;
  const rewritten = Buffer.concat([withFrom.head, withFrom.body]);
  assert.equal(rewritten.toString('latin1', 0, generated.length), generated, `${label}: -f line`);
  const rest = rewritten.subarray(generated.length);
  assert.ok(raw.subarray(raw.length - rest.length).equals(rest), `${label}: -f keeps a suffix`);
  return msg;
}

const files = existsSync(CORPUS) ? emlFiles(CORPUS) : [];

test('corpus: every message reads, splits and logs without losing bytes', { skip: files.length === 0 && 'corpus missing' }, () => {
  assert.ok(files.length > 1000, `found ${files.length} messages`);
  for (const file of files) exercise(readFileSync(file), file);
  const sample = mboxSample();
  assert.ok(sample.length > 20, 'mbox sample');
  sample.forEach((m, i) => exercise(m, `mbox sample ${i}`));
});

test('corpus mutations: random edits never break the invariants', { skip: files.length === 0 && 'corpus missing' }, () => {
  const random = rng(20261124);
  let withContentLength = 0;
  for (let round = 0; round < 1500; round++) {
    const file = files[Math.floor(random() * files.length)]!;
    const seed = Math.floor(random() * 2 ** 31);
    if (exercise(mutate(readFileSync(file), seed), `${file} mutated with seed ${seed}`).contentLength) withContentLength++;
  }
  // The corpus has no top-level Content-Length; the mutations insert some.
  assert.ok(withContentLength > 10, `${withContentLength} mutated messages had Content-Length`);
});

test('hand-made edge inputs', () => {
  const edges = ['', '\n', '\n\n', '\0', 'From ', 'From x', 'From x\n', 'Content-Length:', 'Content-Length: 1',
    'Subject:', 'Subject: x', '\r\n\r\n', 'A: b\n\0\n\n', `From ${'x'.repeat(5000)}`, `From ${'x'.repeat(5000)}\n\nFrom y\n`,
    `${'\n'.repeat(3000)}From a\n\nb`, `From a\0${'b'.repeat(3000)}\nX: y\n\nz\n`];
  for (const e of edges) exercise(Buffer.from(e, 'latin1'), JSON.stringify(e.slice(0, 40)));
});

// ---- linear cost -------------------------------------------------------------------------

function cost(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  return best;
}

/** Cost ratio of 8× the input against 1×: about 8 when linear, about 64 when quadratic. */
function scaling(make: (n: number) => Buffer, work: (buf: Buffer) => void): number {
  const small = make(20_000);
  const large = make(160_000);
  work(small); // warm up the JIT
  return cost(() => work(large)) / cost(() => work(small));
}

function everything(buf: Buffer): void {
  const msg = readMessage(buf, { now: NOW });
  headerArea(Buffer.from(msg.head)); // a fresh Buffer: no cache hit
  wholeArea(Buffer.from(msg.head), msg.body);
  conditionInput(Buffer.from(msg.head), msg.body, 'H');
  mboxQuoteOffsets(msg, 'whole');
  mboxQuoteOffsets(msg, 'head');
  logAbstract(msg.head, 'inbox', 1);
  readMessage(buf, { now: NOW, fromSender: '-' });
}

const HUGE_INPUTS: [string, (n: number) => Buffer][] = [
  ['many header fields', (n) => Buffer.from(`From a  Mon Jan  1 10:00:00 2001\n${'Received: from x by y\n'.repeat(n)}Subject: s\n\nbody\n`)],
  ['many folded lines', (n) => Buffer.from(`X-Long: a\n${'\tcontinued\n'.repeat(n)}\nbody\n`)],
  ['many From_ lines in header and body', (n) => Buffer.from(`From a\n${'From h\n'.repeat(n)}\n${'From b\n'.repeat(n)}`)],
  ['one endless line', (n) => Buffer.from(`From ${'x'.repeat(n * 20)}`)],
  ['NUL at the end after many body From_ lines', (n) => Buffer.from(`A: b\n\n${'From b\n'.repeat(n)}\0`)],
];
for (const [what, make] of HUGE_INPUTS) {
  test(`linear cost: ${what}`, () => {
    const ratio = scaling(make, everything);
    assert.ok(ratio < 24, `8x input cost ${ratio.toFixed(1)}x`);
  });
}
