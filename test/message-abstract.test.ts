// The log abstract, against oracle logs (read at test time) and observed procmail output.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abstractFolderLine, dumpData, logAbstract, readMessage } from '../src/message/index.ts';
import { NOW, caseMessage, expectedFile, haveCase, mboxContent } from './message-helpers.ts';
import { mboxQuoteOffsets } from '../src/message/index.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

test('oracle 111: one abstract per delivery (mbox 496 bytes, pipe 495)', { skip: !haveCase('111-logabstract-all') && 'oracle case missing' }, () => {
  const name = '111-logabstract-all';
  const msg = readMessage(caseMessage(name), { now: NOW });
  const mboxBytes = mboxContent(Buffer.concat([msg.head, msg.body]), mboxQuoteOffsets(msg, 'whole')).length;
  const pipeBytes = dumpData([msg.head, msg.body], false).reported;
  const log = logAbstract(msg.head, 'copy1', mboxBytes) + logAbstract(msg.head, ' cat > /dev/null', pipeBytes);
  assert.equal(log, expectedFile(name, 'home/pm.log')!.content.toString('latin1'));
});

test('oracle 172: Subject cut to 78 bytes, TAB shown as one space', { skip: !haveCase('172-msg-long-subject-abstract') && 'oracle case missing' }, () => {
  const name = '172-msg-long-subject-abstract';
  const msg = readMessage(caseMessage(name), { now: NOW });
  assert.equal(logAbstract(msg.head, 'box', 170), expectedFile(name, 'home/log')!.content.toString('latin1'));
});

test('oracle 161: an empty message has neither From_ nor Subject line', { skip: !haveCase('161-msg-empty') && 'oracle case missing' }, () => {
  const msg = readMessage(caseMessage('161-msg-empty'), { now: NOW });
  assert.equal(logAbstract(msg.head, 'box', 1), expectedFile('161-msg-empty', 'home/log')!.content.toString('latin1'));
});

// Observed with procmail 3.22-27 (own oracle cases e01–e11 and direct runs).
test('Subject line selection', () => {
  const from = 'From x  Mon Jan  1 10:00:00 2001\n';
  const cases: [string, string][] = [
    [`${from}Subject: folded\n\tsecond part\n\nbody\n`, `${from} Subject: folded\n`],
    [`${from}SUBJECT:\tTabbed\rcr\nSubject: second\n\nbody\n`, `${from} SUBJECT: Tabbed cr\n`],
    [`${from}X: y\n\nSubject: inbody\n`, from],
    ['From: a@example.org\nSubject: abc', ' Subject: abc\n'], // last line without newline
    ['\n\nSubject: lead\n\nbody\n', ' Subject: lead\n'], // leading newlines: no From_ line logged
    // A Subject on the very first line: procmail reads memory before its buffer; we log " ".
    ['Subject: first line subject\nFrom: a@example.org\n\nbody\n', ' \n'],
    // A NUL in the From_ line: printed up to the NUL, and no Subject is looked for.
    ['From Cringe\0y@x  Mon Aug 12 10:58:47 2002\nSubject: s\n\n', 'From Cringe\n'],
    [`${from}Subject: a\0b\n\n`, `${from} Subject: a\n`],
    ['From x', 'From x\n'],
  ];
  for (const [raw, want] of cases) {
    const { head } = readMessage(b(raw), { now: NOW });
    assert.equal(logAbstract(head, 'f', 1), `${want}  Folder: f\t\t\t\t\t\t\t\t      1\n`, JSON.stringify(raw));
  }
});

test('Folder line: TABs to column 72, size right-aligned in 7, names cut to 60 bytes', () => {
  const c50 = 'a123456789b123456789c123456789d123456789e123456789';
  const cases: [string, number, string][] = [
    ['a1234', 51, '  Folder: a1234\t\t\t\t\t\t\t\t     51\n'],
    ['a12345', 51, '  Folder: a12345\t\t\t\t\t\t\t     51\n'],
    [`${c50}f1234567`, 51, `  Folder: ${c50}f1234567\t     51\n`],
    [`${c50}f123456789`, 51, `  Folder: ${c50}f123456789\t     51\n`],
    [`${c50}f123456789g123456789`, 51, `  Folder: ${c50}f123456789\t     51\n`],
    ['/dev/null', 50, '  Folder: /dev/null\t\t\t\t\t\t\t     50\n'],
    ['x\ty\nz', 1, '  Folder: x y z\t\t\t\t\t\t\t\t      1\n'],
    ['box', 304334, '  Folder: box\t\t\t\t\t\t\t\t 304334\n'],
    ['box', 12345678, '  Folder: box\t\t\t\t\t\t\t\t12345678\n'],
    ['', 0, '  Folder: \t\t\t\t\t\t\t\t      0\n'], // HOST mismatch (case 119)
  ];
  for (const [folder, bytes, want] of cases) assert.equal(abstractFolderLine(folder, bytes), want, folder);
});
