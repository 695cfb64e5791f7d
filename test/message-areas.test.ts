// Search areas and what programs are fed, checked against oracle cases (read at test time)
// and facts observed with procmail 3.22-27 while writing src/message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  areaText,
  bodyArea,
  conditionInput,
  dumpData,
  headerArea,
  joinedHead,
  readMessage,
  splitMail,
  wholeArea,
} from '../src/message/index.ts';
import { NOW, caseMessage, expectedFile, haveCase } from './message-helpers.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const LUNCH = '051-cond-program-stdin-areas'; // the standard "Lunch on Friday" message

test('H area: From_ line included, folded lines joined with a space (TAB kept), ends with the empty line', () => {
  const raw = haveCase(LUNCH)
    ? caseMessage(LUNCH)
    : b('From alice@example.org  Mon Jan  1 10:00:00 2001\nReceived: from mx (mx [192.0.2.1])\n\tby mail\nMessage-ID: <lunch-1@example.org>\n\nHi Bob,\n');
  const { head, body } = readMessage(raw, { now: NOW });
  const h = headerArea(head);
  assert.ok(h.startsWith('From alice@example.org  Mon Jan  1 10:00:00 2001\n')); // ^From alice (031)
  assert.match(h, /192\.0\.2\.1\]\) \tby/); // 035 item 07
  assert.doesNotMatch(h, /\n\tby mail/); // 031 item 10, 035 item 09
  assert.match(h, /Message-ID: <lunch-1@example\.org>\n\n$/); // ^Message-ID:.*$$ (035 item 04)
  assert.equal(h.length, head.length); // joining replaces, never removes
  assert.ok(bodyArea(body).startsWith('Hi Bob,\n')); // ^^Hi Bob in B (032 item 08)
  assert.equal(wholeArea(head, body), h + bodyArea(body)); // one contiguous text
  assert.match(wholeArea(head, body), /Message-ID:.*\n\nHi Bob/); // HB ?? across the seam (032 item 06)
  assert.equal(areaText(head, body, 'H'), h);
  assert.equal(areaText(head, body, 'B'), bodyArea(body));
  assert.equal(areaText(head, body, 'HB'), wholeArea(head, body));
});

test('H area: where joining starts and stops (observed h01, h03, h04, n02)', () => {
  // a blank-only line is a continuation too
  assert.equal(headerArea(splitMail(b('From: a\n \nX: b\n\nbody\n')).head), 'From: a  \nX: b\n\n');
  // the first line may start with a blank; the next folded line is joined
  assert.equal(headerArea(splitMail(b(' lead: x\n\tcont\nY: z\n\nbody\n')).head), ' lead: x \tcont\nY: z\n\n');
  // a newline before procmail's realstart (leading empty lines) is never joined
  assert.equal(headerArea(splitMail(b('\n\tcont\nY: z\n\nbody\n')).head), '\n\tcont\nY: z\n\n');
  // nothing after a NUL is joined (procmail's strchr stops there)
  assert.equal(headerArea(splitMail(b('A: a\0\n b\nC: c\n\tc2\n\n')).head), 'A: a\0\n b\nC: c\n\tc2\n\n');
  // the body's first line starting with a blank is not part of the header
  const { head, body } = splitMail(b('A: a\n\n body\n'));
  assert.equal(headerArea(head), 'A: a\n\n');
  assert.equal(bodyArea(body), ' body\n');
});

test('areas are latin1: one char per byte, 8-bit and NUL kept (174, 163)', () => {
  const { head, body } = splitMail(Buffer.from([0x58, 0x3a, 0xe9, 0x0a, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x00, 0xff, 0x0a]));
  assert.equal(headerArea(head), 'X:\u00e9\n\n');
  assert.equal(bodyArea(body), 'caf\u00e9\u0000\u00ff\n');
});

test('joined header is computed once per header Buffer and never changes the input', () => {
  const head = b('A: x\n y\n\n');
  const first = joinedHead(head);
  assert.equal(joinedHead(head), first);
  assert.equal(first.toString('latin1'), 'A: x  y\n\n');
  assert.equal(head.toString('latin1'), 'A: x\n y\n\n');
  const plain = b('A: x\n\n');
  assert.equal(joinedHead(plain), plain); // nothing to join: no copy
});

test('oracle 051: a ? program gets the joined header (H), the body (B) or both (HB), plus a newline', { skip: !haveCase(LUNCH) && 'oracle case missing' }, () => {
  const { head, body } = readMessage(caseMessage(LUNCH), { now: NOW });
  for (const [area, file] of [['H', 'home/seen-default'], ['B', 'home/seen-B'], ['HB', 'home/seen-HB']] as const) {
    const want = expectedFile(LUNCH, file)!;
    assert.equal(Buffer.concat(conditionInput(head, body, area)).toString('latin1'), want.content.toString('latin1'), area);
  }
});

test('oracle 083: a delivering pipe gets the whole message plus the trailing newline', { skip: !haveCase('083-pipe-delivering') && 'oracle case missing' }, () => {
  const name = '083-pipe-delivering';
  const { head, body } = readMessage(caseMessage(name), { now: NOW });
  const fed = dumpData([head, body], false);
  assert.equal(Buffer.concat(fed.chunks).toString('latin1'), expectedFile(name, 'home/piped.txt')!.content.toString('latin1'));
  assert.equal(fed.reported, 495);
});

test('dumpData: procmail ends what it writes with an empty line unless raw', () => {
  const cases: [string[], boolean, string, number][] = [
    [['a\n'], false, 'a\n\n', 3],
    [['a\n\n'], false, 'a\n\n', 3],
    [['a'], false, 'a\n', 2],
    [[''], false, '\n', 1],
    [[], false, '\n', 1],
    [['\n'], false, '\n\n', 2],
    [['a\n', '\n'], false, 'a\n\n', 3], // the last two bytes may sit in different chunks
    [['a\n', ''], false, 'a\n\n', 3],
    [['a'], true, 'a', 1], // r flag: exactly the data (no byte is lost; see feed.ts)
    [['a\n'], true, 'a\n', 2],
    [[''], true, '', 0],
  ];
  for (const [data, raw, want, reported] of cases) {
    const out = dumpData(data.map(b), raw);
    assert.equal(Buffer.concat(out.chunks).toString('latin1'), want, JSON.stringify([data, raw]));
    assert.equal(out.reported, reported, JSON.stringify([data, raw]));
  }
});

test('conditionInput: observed stdin of ? programs for odd messages (e02, h02, n02)', () => {
  const headerOnly = splitMail(b('From: a@example.org\nSubject: abc'));
  assert.equal(Buffer.concat(conditionInput(headerOnly.head, headerOnly.body, 'H')).toString('latin1'), 'From: a@example.org\nSubject: abc\n');
  assert.equal(Buffer.concat(conditionInput(headerOnly.head, headerOnly.body, 'B')).toString('latin1'), '\n');
  const newlines = splitMail(b('\n\n\n'));
  assert.equal(Buffer.concat(conditionInput(newlines.head, newlines.body, 'H')).toString('latin1'), '\n\n\n');
  const nul = splitMail(b('From: a\nX-N: a\0b\n\nbody\n'));
  assert.equal(Buffer.concat(conditionInput(nul.head, nul.body, 'H')).toString('latin1'), 'From: a\nX-N: a\0b\n\nbody\n\n');
});
