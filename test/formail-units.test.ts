// Unit tests of formail's building blocks: field names, address skimming, sender choice,
// option parsing, the input reader and output collector, the duplicate cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { skipWords } from '../src/formail/address.ts';
import { FieldList, addField, breakField, cleanHeader, concatenate, findField } from '../src/formail/fields.ts';
import { IdCache } from '../src/formail/idcache.ts';
import { parseOptions, strtol, strtolBig } from '../src/formail/options.ts';
import { ByteReader, EOF, LineBuffer, isInputBytes } from '../src/formail/reader.ts';
import { SenderPicker } from '../src/formail/sender.ts';
import { Collector } from '../src/formail/sink.ts';
import { ctime, ultoan } from '../src/formail/stamp.ts';
import { USAGE, VERSION } from '../src/formail/usage.ts';
import { scratch } from './formail/diff.ts';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const args = (...a: string[]): Buffer[] => a.map(B);
const noCache = (): boolean => true;

test('breakField: name length with colon, postmarks, partial names', () => {
  assert.equal(breakField(B('Subject: x\n')), 8);
  assert.equal(breakField(B('Subject : x\n')), 9); // blanks before the colon belong to the name
  assert.equal(breakField(B('Subject\t \t: x\n')), 11);
  assert.equal(breakField(B('From a@b Mon Jan  1\n')), 5);
  assert.equal(breakField(B('From: a@b\n')), 5);
  assert.equal(breakField(B(':x\n')), 0);
  assert.equal(breakField(B(' Subject: x\n')), 0);
  assert.equal(breakField(B('X-')), -2); // a partial name running to the end
  assert.equal(breakField(B('X-Foo bar: y\n')), -6); // blank inside the name
  assert.equal(breakField(B('A\x01B: y\n')), -1); // control characters end it
  assert.equal(breakField(B('\xe4\xf6: y\n')), 3); // 8-bit bytes are fine
  assert.equal(breakField(B('')), 0);
  assert.equal(breakField(B('xxSubject: y\n'), 2, 13), 8); // a range of a bigger buffer
});

test('fields: findField matches name prefixes, -u entries specialise per name', () => {
  const opts = new FieldList();
  addField(opts, B('X-\n'), false);
  const hdr = new FieldList();
  const a = addField(hdr, B('x-one: 1\n'), true);
  const b = addField(hdr, B('Subject: s\n'), true);
  assert.equal(findField(a, opts), opts.first);
  assert.equal(findField(b, opts), null);
  const u = new FieldList();
  addField(u, B('X-\n'), false);
  const e = findField(a, u, true)!;
  assert.equal(e.text.toString(), 'x-one:');
  assert.equal([...u].length, 2); // the exact entry went in front of the partial one
  assert.equal(findField(a, u, true), e);
});

test('fields: cleanHeader, concatenate', () => {
  const hdr = new FieldList();
  addField(hdr, B('To \t : a\n'), true);
  addField(hdr, B('Received: a\n b\n\tc\n'), true);
  addField(hdr, B('From x\n>From y\n'), true);
  cleanHeader(hdr);
  const [to, rec, from] = [...hdr];
  assert.equal(to!.text.toString(), 'To: a\n');
  assert.equal(to!.idLen, 3);
  concatenate(rec!);
  assert.equal(rec!.text.toString(), 'Received: a  b \tc\n');
  concatenate(from!);
  assert.equal(from!.text.toString(), 'From x\n>From y\n'); // postmarks stay as they are
});

function canon(s: string): string {
  const b = new Uint8Array(s.length + 3);
  b.set(B(s));
  const end = skipWords(b, 0);
  const nul = b.indexOf(0);
  return `${Buffer.from(b.subarray(0, nul)).toString('latin1')}|${end}`;
}

test('skipWords: canonical address and where scanning stops', () => {
  assert.equal(canon('a@b.c'), 'a@b.c|5');
  assert.equal(canon('a @ b . c (comment)'), 'a@b.c|19');
  assert.equal(canon('John Smith <j@x>'), 'John|5'); // stops at the next word
  assert.equal(canon('<j@x>'), 'j@x|4');
  assert.equal(canon('<a,b@c>'), '<a,b@c>|6'); // embedded comma: bracketed again
  assert.equal(canon('"Q, X" <q@x.y>'), '"Q, X" <q@x.y>|7'); // stops at '<' without ending the string
  assert.equal(canon('a@b, c@d'), 'a@b|3');
  assert.equal(canon('group: a@b, c@d;'), 'group:a@b,c@d;|16');
  assert.equal(canon('(a (nested) b) u@h'), 'u@h|18');
  assert.equal(canon('<moo@example.com,'), '<moo@example.com,>|17'); // Debian's heap overflow case
});

function sender(fields: string[], areply = false, headreply = 0): string | null {
  const hdr = new FieldList();
  for (const f of fields) addField(hdr, B(f), true);
  const p = new SenderPicker();
  let n: Buffer | null = null;
  for (const f of hdr) n = p.consider(n, f, f === hdr.first, areply, headreply);
  return n ? n.toString('latin1') : null;
}

test('sender: envelope order, header order with -t, -t -a Resent-', () => {
  const h = ['From e@env.org  Mon Jan  1 10:00:00 2001\n', 'From: f@from.org\n', 'Reply-To: r@reply.org\n', 'Resent-From: rf@resent.org\n', 'Return-Path: <rp@rp.org>\n'];
  assert.equal(sender(h), 'e@env.org');
  assert.equal(sender(h, true, 0), 'e@env.org');
  assert.equal(sender(h, true, 1), 'r@reply.org');
  assert.equal(sender(h, true, 3), 'rf@resent.org');
  assert.equal(sender(['From: Some User <u@h.org>\n', 'Sender: s@h.org\n']), 's@h.org');
});

test('sender: dubious forms lose, an empty Return-Path wins, bang paths', () => {
  assert.equal(sender(['From: justuser\n', 'Sender: s@h.org\n']), 's@h.org');
  assert.equal(sender(['From: u@host\n', 'Sender: s@h.org\n']), 's@h.org'); // no dot in the domain
  assert.equal(sender(['Return-Path: <>\n', 'From: a@b.c\n']), '<>');
  assert.equal(sender(['From user Mon Jan  1 10:00:00 2001 remote from hostA\n>From u2 Mon Jan 1 remote from hostB\n']), 'hostA!hostB!u2');
  assert.equal(sender(['From: (only a comment)\n']), null);
  assert.equal(sender(['Subject: no sender\n']), null);
  assert.equal(sender(['X: y\n', 'From e@env.org  Mon Jan  1\n']), null); // From_ counts only first
});

test('options: clusters, glued and separate arguments, numbers, -s ends the options', () => {
  const r = parseOptions(args('-rtkbq-', '-D8192', 'cache', '+3', '-5', '-pXX', '-xSubject:', '-s', 'cmd', '-a', 'b'), noCache);
  assert.equal(r.kind, 'ok');
  if (r.kind !== 'ok') return;
  const o = r.opts;
  assert.deepEqual([o.areply, o.headreply, o.keepb, o.bogus, o.quiet], [true, 1, true, false, false]);
  assert.deepEqual([o.maxlen, o.idcache, o.nrskip, o.nrtotal], [8192, 'cache', 3, 5]);
  assert.equal(o.escap.toString(), 'XX');
  assert.equal(o.x.first!.text.toString(), 'Subject:\n');
  assert.deepEqual(o.command.map(String), ['cmd', '-a', 'b']);
  assert.equal(o.split, true);
});

test('options: -R forms', () => {
  const one = parseOptions(args('-R', 'Subject: X-Subj:'), noCache);
  const two = parseOptions(args('-R', 'Subject:', 'X-Subj:'), noCache);
  for (const r of [one, two]) {
    assert.equal(r.kind, 'ok');
    if (r.kind === 'ok') {
      const f = r.opts.R.first!;
      assert.equal(f.text.toString(), 'Subject:X-Subj:');
      assert.equal(f.idLen, 8);
    }
  }
});

test('options: errors, usage, version', () => {
  const err = (...a: string[]): [number, string] => {
    const r = parseOptions(args(...a), noCache);
    assert.equal(r.kind, 'exit');
    return r.kind === 'exit' ? [r.status, r.stderr.toString('latin1')] : [0, ''];
  };
  assert.deepEqual(err('x'), [64, USAGE]);
  assert.deepEqual(err('-v'), [64, VERSION]);
  assert.deepEqual(err('-A', 'NoColon'), [64, `formail: Invalid field-name: "NoColon"\n${USAGE}`]);
  assert.deepEqual(err('-x', 'Bad Field'), [64, `formail: Invalid field-name: "Bad Field"\n${USAGE}`]);
  assert.deepEqual(err('-a', 'X-'), [64, `formail: Invalid field-name: "X-"\n${USAGE}`]);
  assert.deepEqual(err('-sx'), [64, USAGE]);
  assert.deepEqual(err('-n', '-s'), [64, USAGE]); // -n takes the next word as its number
  assert.deepEqual(err('-D', '10'), [64, USAGE]);
  const r = parseOptions(args('-D', '10', '/nonexistent/x'), () => false);
  assert.deepEqual(r.kind === 'exit' && [r.status, r.stderr.toString()], [73, 'formail: Couldn\'t open "/nonexistent/x"\n']);
  const ok = parseOptions(args('-a', 'Resent-'), noCache);
  assert.ok(ok.kind === 'ok' && ok.opts.headreply === 2 && !ok.opts.a.first);
});

test('strtol: C semantics', () => {
  assert.deepEqual(strtol(B(' -12x'), 0), { value: -12, end: 4 });
  assert.deepEqual(strtol(B('x'), 0), { value: 0, end: 0 });
  assert.deepEqual(strtolBig(B('99999999999999999999'), 0), { value: (1n << 63n) - 1n, end: 20 });
});

test('reader: lines are views of the input, a last line gets its newline', () => {
  const input = B('one\ntwo\n\nlast');
  const r = new ByteReader(input);
  const buf = new LineBuffer();
  const lines: string[] = [];
  let c = r.getc();
  while (c !== EOF) {
    r.appendLine(buf);
    lines.push(buf.bytes().toString());
    if (buf.stable) assert.equal(buf.data.buffer, input.buffer);
    buf.clear();
    c = r.getc();
  }
  assert.deepEqual(lines, ['one\n', 'two\n', '\n', 'last\n']);
});

test('reader: lines spanning chunks of a streamed source', () => {
  const data = B(`${'a'.repeat(3_000_000)}\nshort\n${'b'.repeat(10)}`);
  let off = 0;
  const r = new ByteReader({
    readSync(into: Buffer): number {
      const n = Math.min(into.length, 700_001, data.length - off);
      data.copy(into, 0, off, off + n);
      off += n;
      return n;
    },
  });
  const buf = new LineBuffer();
  const lines: number[] = [];
  for (let c = r.getc(); c !== EOF; c = r.getc()) {
    r.appendLine(buf);
    lines.push(buf.length);
    buf.clear();
  }
  assert.deepEqual(lines, [3_000_001, 6, 11]);
});

test('reader: takeFromLast copies across chunks and stops at the end', () => {
  const r = new ByteReader(B('abcdef'));
  assert.equal(r.getc(), 0x61);
  assert.equal(Buffer.concat(r.takeFromLast(3)).toString(), 'abc');
  assert.equal(r.getc(), 0x64);
  assert.equal(Buffer.concat(r.takeFromLast(10)).toString(), 'def');
  assert.equal(r.getc(), EOF);
});

test('collector: adjacent stable views merge, copies are taken at once', () => {
  const input = B('hello world');
  const c = new Collector();
  c.writeStable(input, 0, 5);
  c.writeStable(input, 5, 11);
  const scratchBytes = B('XY');
  c.write(scratchBytes);
  scratchBytes[0] = 0x21; // the collector must not see later changes
  const parts = c.take();
  assert.equal(parts.length, 2);
  assert.equal(parts[0]!.buffer, input.buffer); // no copy of the stable bytes
  assert.equal(Buffer.concat(parts).toString(), 'hello worldXY');
});

test('idcache: ring buffer of NUL-terminated keys', () => {
  const dir = scratch('idcache');
  const file = path.join(dir, 'c');
  const cache = IdCache.open(file)!;
  assert.equal(cache.seen(B('<a@x>'), 100), false);
  assert.equal(cache.seen(B('<b@x>'), 100), false);
  assert.equal(cache.seen(B('<a@x>'), 100), true);
  assert.equal(fs.readFileSync(file).toString('latin1'), '<a@x>\0<b@x>\0\0');
  // past maxlen, writing starts over at the front
  assert.equal(cache.seen(B('<c@x>'), 8), false);
  assert.equal(fs.readFileSync(file).toString('latin1'), '<c@x>\0\0b@x>\0\0');
  // keys with 8-bit bytes never match (formail compares signed with unsigned chars)
  assert.equal(cache.seen(B('<\xe4@x>'), 100), false);
  assert.equal(cache.seen(B('<\xe4@x>'), 100), false);
  cache.close();
  assert.equal(IdCache.open(path.join(dir, 'no/such/dir')), null);
});

test('stamps: ctime and ultoan', () => {
  assert.equal(ctime(978343200, 'UTC'), 'Mon Jan  1 10:00:00 2001\n');
  assert.equal(ctime(978343200, 'Europe/Amsterdam'), 'Mon Jan  1 11:00:00 2001\n');
  assert.equal(ultoan(0n), 'A');
  assert.equal(ultoan(63n), '_');
  assert.equal(ultoan(64n * 62n + 26n), 'a-');
});

test('the caller\'s input buffer is never written to', async () => {
  const { runFormail } = await import('../src/formail/index.ts');
  const mail = B('Subject: a\n  b\nReceived: x\n\ty\n\nbody\n');
  const digest = B('Article 1 of x\nFrom: a@b.c\nSubject: a\n  b\n\nbody\n\nArticle 2 of y\nFrom: q@r.s\nSubject: c\n  d\n\nz\n');
  const runs: Array<[string[], Buffer]> = [
    [['-c'], mail], [['-l', 'x'], mail], [['-czr'], mail], [['-R', 'Subject:', 'X-S:'], mail], [['-i', 'Subject: n'], mail],
    [['-ds'], digest], [['-c', '-ds'], digest],
  ];
  for (const [a, input] of runs) {
    const before = Buffer.from(input);
    const out: Buffer[] = [];
    await runFormail(a, { stdin: input, stdout: (b) => out.push(b), stderr: () => {}, env: {}, spawn: async () => 0 });
    assert.deepEqual(input, before, JSON.stringify(a));
    assert.ok(Buffer.concat(out).length > 0);
  }
});

/** A source that hands out `data` at most `size` bytes per read, like a pipe. */
function chunkedSource(data: Buffer, size: number): { readSync(into: Buffer): number } {
  let off = 0;
  return {
    readSync(into: Buffer): number {
      const n = Math.min(into.length, size, data.length - off);
      data.copy(into, 0, off, off + n);
      off += n;
      return n;
    },
  };
}

test('input chunks are known as input; copies and other buffers are not', () => {
  const r = new ByteReader(chunkedSource(B('a: b\nSubject: x\n\nbody\n'), 7)); // pipe-sized reads: copied out
  const buf = new LineBuffer();
  r.getc();
  r.appendLine(buf); // "a: b\n" lies in the first read: a view of it
  assert.ok(buf.stable && isInputBytes(buf.data));
  assert.ok(!isInputBytes(Buffer.from(buf.bytes())));
  assert.ok(!isInputBytes(B('x')));
});

test('split output is the same whatever the input arrives in', async () => {
  const { runFormail } = await import('../src/formail/index.ts');
  const msg = (k: number): string =>
    `From u${k}@example.org  Mon Jan  1 00:00:0${k % 10} 2001\nFrom: u${k}@example.org\nSubject: m ${k}\n x\n\nline\nFrom the body\n\n`;
  const box = B(Array.from({ length: 300 }, (_, k) => msg(k)).join('') + 'no final newline');
  const split = async (stdin: Buffer | { readSync(into: Buffer): number }): Promise<Buffer> => {
    const out: Buffer[] = [];
    await runFormail(['-s'], { stdin, stdout: (b) => out.push(Buffer.from(b)), stderr: () => {}, env: {}, spawn: async () => 0 });
    return Buffer.concat(out);
  };
  const reads = (size: number) => chunkedSource(box, size);
  const whole = await split(box);
  assert.ok(whole.length > box.length); // a newline was added at the end, From lines escaped
  assert.deepEqual(await split(reads(13)), whole);
  assert.deepEqual(await split(reads(4096)), whole);
  assert.deepEqual(await split(reads(1 << 20)), whole);
});
