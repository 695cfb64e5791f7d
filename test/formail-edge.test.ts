// Unusual input and unusual command lines, differential against /usr/bin/formail: empty and
// truncated mail, binary garbage, NULs, CRLF, huge lines and headers, odd addresses, every
// option error. Plus the documented deviations and linear-time checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, haveRealFormail, ourFormail } from './formail/diff.ts';

const skip = !haveRealFormail && 'needs /usr/bin/formail';
const B = (s: string): Buffer => Buffer.from(s, 'latin1');

const INPUTS: Record<string, Buffer> = {
  empty: B(''),
  newlines: B('\n\n\n'),
  noFinalNewline: B('Subject: x\n\nbody'),
  headerOnly: B('Subject: x\n'),
  noHeader: B('just a body line\nmore\n'),
  fromOnly: B('From a@b  Mon Jan  1 10:00:00 2001\n'),
  fromContinued: B('From a@b  Mon Jan  1 10:00:00 2001\n>From c@d  Mon Jan  1 10:00:00 2001\nSubject: s\n\nFrom x\n>From y\nbody\n'),
  bangPath: B('From user Mon Jan  1 10:00:00 2001 remote from hostA\n>From u2 Mon Jan 1 forwarded by hostB\nSubject: s\n\nx\n'),
  crlf: B('From: a@b.c\r\nSubject: hi\r\n\r\nbody\r\nFrom x\r\n'),
  nul: B('From: a\0b@c.d\nSubject: a\0b\nMessage-ID: <x\0y>\n\nbo\0dy\n'),
  binary: Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256)),
  contentLength: B('From a@b  Mon Jan  1 10:00:00 2001\nContent-Length: 20\nSubject: s\n\nFrom inside body\nxx\nFrom after\n\n'),
  contentLengthShort: B('Content-Length: 3\nSubject: s\n\nabcdefgh\nFrom x y\n'),
  contentLengthLong: B('Content-Length: 300\nSubject: s\n\nabc\n'),
  contentLengthNegative: B('Content-Length: -5\n\nFrom x\n'),
  blanksBeforeColon: B('Subject : spaced\nTo\t: t@x.y\nX-A:\nX-B: \nX-C:nospace\n\nb\n'),
  continued: B('Received: a\n b\n\tc\nSubject: one\n  two\nTo: "Q, X" <q@x.y> (comment), other@z\n\nb\n'),
  senders: B('From: A <a@a.org>\nReply-To: R <r@r.org>\nSender: s@s.org\nReturn-Path: <rp@rp.org>\nErrors-To: e@e.org\nResent-From: rf@rf.org\nSubject: Re: hi\nReferences: <r1@x> <r2@x>\nMessage-ID: <m@x>\n\nbody\nFrom line\n'),
  nullReturnPath: B('Return-Path: <>\nFrom: a@b.c\nSubject: bounce\n\nx\n'),
  group: B('From: group: a@b.c, d@e.f;\nSubject: g\n\nx\n'),
  comments: B('From: (c1 (nested) c2) user@host.dom (trailer)\n\nx\n'),
  quoted: B('From: "Name \\"Q\\"" <q@x.y>\nSender: <a,b@c.d>\n\nx\n'),
  uucp: B('From: host!user\nReply-To: u@h.UUCP\n\nx\n'),
  userOnly: B('From: justuser\n\nx\n'),
  unterminated: B('From: "unterminated <x@y>\nReply-To: <a@b.c\\\n\nx\n'),
  overflowCases: B('From: <moo@example.com,\nReply-To: <moo@example.com\\\n\nx\n'),
  article: B('Article 123 of comp.mail\nPath: a!b\nFrom: n@x.y\nSubject: news\n\nnews body\n'),
  longLine: B(`Subject: ${'x'.repeat(200_000)}\n\n${'y'.repeat(300_000)}\n`),
  manyFields: B(`${Array.from({ length: 3000 }, (_, i) => `X-F${i}: v${i}\n`).join('')}\nb\n`),
  postmarkInHeader: B('Subject: s\nFrom x@y  Mon Jan  1\nTo: t\n\nb\n'),
  leadingBlankLines: B('\n\n\nSubject: late\n\nb\n'),
  date: B('From: a@b.c\nDate: Mon, 1 Jan 2001 10:00:00 +0000\n\nx\n'),
  eightBit: B('From: J\xf6rg <j\xf6rg@b\xe4r.de>\nSubject: \xe4\xf6\xfc\nMessage-ID: <\xe4@x>\n\nx\n'),
  tabbedSubject: B('From: a@b.c\nSubject:\tTabbed\tsubject\n  continued\n\nx\n'),
  reNul: B('Subject: Re:\0abc\nFrom: a@b.c\n\nx\n'),
};

const OPTIONS: string[][] = [
  [], ['-r'], ['-rt'], ['-rtk'], ['-rt', '-a', 'Resent-'], ['-c'], ['-z'], ['-zc'], ['-f'], ['-b'], ['-Y'],
  ['-x', 'From:'], ['-zx', 'Subject:'], ['-X', ''], ['-l', 'f'], ['-k', '-X', 'Subject:'], ['-a', 'Date:'],
  ['-a', 'Message-ID:'], ['-I', 'Subject:'], ['-R', 'From ', 'X-From_:'], ['-i', 'From '], ['-a', 'From '], ['-q-'],
];

test('edge inputs under the option matrix', { skip, timeout: 300_000 }, async () => {
  const bad: string[] = [];
  for (const args of OPTIONS) {
    for (const [name, input] of Object.entries(INPUTS)) {
      const d = await compare(args, input);
      if (d) bad.push(`${JSON.stringify(args)} ${name}: ${d.what}\n  expected ${d.expected.slice(0, 300)}\n  actual   ${d.actual.slice(0, 300)}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('command lines: every option, clustered and glued forms, every error', { skip }, async () => {
  const msg = B('From a@b  Mon Jan  1 10:00:00 2001\nSubject: s\nX-Foo: 1\nX-Bar: 2\nReceived: r1\nReceived: r2\n\nbody\n');
  const sets: string[][] = [
    ['-v'], ['-h'], ['-?'], ['-Z'], ['x'], ['-'], ['--'], ['-s'], ['-sx'], ['+'], ['+x'], ['-5'], ['+2'], ['-e'], ['-d'],
    ['-n'], ['-n', '2'], ['-m', '3'], ['-m'], ['-x'], ['-x', 'Bad Field'], ['-x', 'X-'], ['-x', ''], ['-xSubject:'],
    ['-A', 'X-'], ['-A', 'NoColon'], ['-A', 'X-A: v'], ['-a', 'Resent-'], ['-rta', 'Resent-'], ['-a', 'resent-'],
    ['-a', 'Resent-X'], ['-a', 'X-'], ['-I', 'X-'], ['-i', 'X-'], ['-u', 'X-'], ['-U', 'X-'], ['-I', ' X'], ['-x', '\tX'],
    ['-x', 'A\x01B:'], ['-R', 'X-Foo:', 'X-Baz:'], ['-R', 'X-Foo: X-Baz:'], ['-R', 'X-', 'Y-'], ['-R', 'X-Foo:', 'Y-'],
    ['-R', 'X-', 'Y:'], ['-R', 'X-Foo:'], ['-R', 'X-', ''], ['-R', 'X-Foo:', ''], ['-R', 'X-Foo:', 'bad name'],
    ['-RX-Foo:', 'X-Q:'], ['-R', 'X- Y-'], ['-R', 'X-Foo: garbage here'], ['-R', 'X-Foo: X- more'],
    ['-k'], ['-kr'], ['-kx', 'Subject:'], ['-x', 'Subject:', '-l', 'f'], ['-l'], ['-p'], ['-p', ''], ['-p', '>>'], ['-q'],
    ['-q-'], ['-qq-'], ['-bczfrktqY'], ['-D'], ['-D', 'x'], ['-D', '100'], ['-D', '100', '/nonexistent/dir/cache'],
    ['-D100', '/nonexistent/dir/cache', '-Z'], ['-c', '-z', '-x', 'Received:'], ['-zX', 'X-'],
    ['-U', 'Received:', '-u', 'Received:'], ['-u', 'Received:', '-U', 'Received:'], ['-I', 'Received:', '-U', 'Received:'],
    ['-i', 'Received: new', '-R', 'Old-Received:', 'X-Old:'], ['-A', 'Subject: t2', '-u', 'Subject:'], ['-a', 'From ', '-f'],
    ['-f', '-l', 'x'], ['-l', 'a\tb\nc'], ['-l', 'x'.repeat(100)], ['-x', 'From '], ['-X', 'From '], ['-I', 'From '],
  ];
  const bad: string[] = [];
  for (const args of sets) {
    const d = await compare(args, msg);
    if (d) bad.push(`${JSON.stringify(args)}: ${d.what}\n  expected ${d.expected.slice(0, 300)}\n  actual   ${d.actual.slice(0, 300)}`);
  }
  assert.deepEqual(bad, []);
});

test('deviation: -f -l on an empty header shows no From_ line (formail segfaults)', async () => {
  const r = await ourFormail(['-f', '-l', 'box'], B('no header here\n'));
  assert.equal(r.status, 0);
  assert.equal(r.stdout.toString(), '  Folder: box\t\t\t\t\t\t\t\t     17\n');
});

/** Best of three, in ms: how long formail takes on `input`. */
async function timed(args: string[], input: Buffer): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await ourFormail(args, input);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

test('linear time: header size, field size, line length, mailbox size', async () => {
  const shapes: Array<[string[], (n: number) => Buffer]> = [
    [[], (n) => B(`${Array.from({ length: n }, (_, i) => `X-F${i}: v${i}\n`).join('')}\nb\n`)],
    [['-c'], (n) => B(`Received: x\n${' y\n'.repeat(n)}\nb\n`)],
    [[], (n) => B(`Subject: s\n\n${'z'.repeat(n * 20)}\n`)],
    [['-s'], (n) => B('From a@b  Mon Jan  1 10:00:00 2001\nSubject: s\n\nbody\n\n'.repeat(n / 10))],
  ];
  for (const [args, make] of shapes) {
    const small = await timed(args, make(20_000));
    const large = await timed(args, make(160_000));
    // 8 times the input: linear stays near 8x, quadratic would be 64x
    assert.ok(large < small * 24 + 50, `${JSON.stringify(args)}: ${small.toFixed(1)} ms -> ${large.toFixed(1)} ms`);
  }
});
