// mboxQuoteOffsets: where mbox writing puts '>' (observed with procmail 3.22-27: oracle cases
// 009, 066, 170 read at test time, and direct runs of procmail writing mbox files).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mboxQuoteOffsets, readMessage, type WrittenPart } from '../src/message/index.ts';
import { NOW, caseMessage, expectedFile, haveCase, mboxContent } from './message-helpers.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function written(raw: string, part: WrittenPart): string {
  const msg = readMessage(b(raw), { now: NOW });
  const data = part === 'whole' ? Buffer.concat([msg.head, msg.body]) : part === 'head' ? msg.head : msg.body;
  return mboxContent(data, mboxQuoteOffsets(msg, part)).toString('latin1');
}

test('oracle 066: header-only, body-only and whole mbox writes', { skip: !haveCase('066-flag-h-b-parts') && 'oracle case missing' }, () => {
  const name = '066-flag-h-b-parts';
  const raw = caseMessage(name).toString('latin1');
  assert.equal(written(raw, 'head'), expectedFile(name, 'home/headers-only')!.content.toString('latin1'));
  assert.equal(written(raw, 'body'), expectedFile(name, 'home/body-only')!.content.toString('latin1'));
  assert.equal(written(raw, 'whole'), expectedFile(name, 'home/both')!.content.toString('latin1'));
});

test('only "From " at a line start is quoted (009); later From_ lines in the header too (170)', () => {
  for (const name of ['009-body-from-quoting', '170-msg-multiple-from-lines']) {
    if (!haveCase(name)) continue;
    assert.equal(written(caseMessage(name).toString('latin1'), 'whole'), expectedFile(name, 'home/box')!.content.toString('latin1'), name);
  }
});

test('observed quoting rules', () => {
  const from = 'From a  Mon Jan  1 10:00:00 2001\n';
  // The body's first line is quoted in a whole write, not in a body-only (b) write.
  assert.equal(written(`${from}From hdr\n\nFrom b1\nFrom b2\n`, 'whole'), `${from}>From hdr\n\n>From b1\n>From b2\n\n`);
  assert.equal(written(`${from}From hdr\n\nFrom b1\nFrom b2\n`, 'body'), 'From b1\n>From b2\n\n');
  assert.equal(written(`${from}From hdr\n\nFrom b1\nFrom b2\n`, 'head'), `${from}>From hdr\n\n`);
  // A NUL ends the search: nothing after it is quoted (in the body here) ...
  assert.equal(written(`${from}From hdr\n\nFrom b1\nx\0y\nFrom b2\n`, 'whole'), `${from}>From hdr\n\n>From b1\nx\0y\nFrom b2\n\n`);
  // ... and a NUL in the header makes everything header, quoted only up to the NUL.
  assert.equal(written(`${from}X: a\0b\nFrom hdr\n\nFrom b1\n`, 'whole'), `${from}X: a\0b\nFrom hdr\n\nFrom b1\n\n`);
  // Leading newlines: the From_ line after them is not quoted (it is before realstart).
  assert.equal(written('\nFrom a\nX: y\n\nb\n', 'whole'), '\nFrom a\nX: y\n\nb\n\n');
  // CRLF lines are quoted ("From x\r", case 168).
  assert.equal(written('A: b\r\n\r\nFrom x\r\n', 'whole'), 'A: b\r\n\r\n>From x\r\n\n');
});

test('Content-Length decides where body quoting starts', () => {
  // correct length: no quoting at all (010)
  assert.equal(written('X: y\nContent-Length: 7\n\nFrom b1\nFrom b2\nFrom b3\n', 'whole'), 'X: y\nContent-Length:24\n\nFrom b1\nFrom b2\nFrom b3\n\n');
  // empty field: every body line but the first (c02)
  assert.equal(written('X: y\nContent-Length:\n\nFrom first\nFrom second\n', 'whole'), 'X: y\nContent-Length:\n\nFrom first\n>From second\n\n');
  // too narrow: lines after the 99 bytes the field now claims (c01)
  const lines = Array.from({ length: 6 }, (_, i) => `line 0${i + 1} abcdefghijklmn\n`).join('');
  assert.equal(
    written(`X: y\nContent-Length: 3\n\n${lines}From late line\n`, 'whole'),
    `X: y\nContent-Length:99\n\n${lines}>From late line\n\n`,
  );
  // header From_ lines are quoted regardless of Content-Length
  assert.equal(written('X: y\nFrom h\nContent-Length: 7\n\nFrom b\n', 'whole'), 'X: y\n>From h\nContent-Length: 7\n\nFrom b\n\n');
});
