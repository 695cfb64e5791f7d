// Counting matches for weighted scoring, as procmail's scoring loop sees them: each search
// starts where the previous match ended, matches are chosen by earliest end, and an empty
// match ends the count as "endless". Expectations come from the real procmail (oracle
// cases 052, 057 and the cases recorded for src/regex: 302-count, 303-misc); where procmail
// only shows a score, the comment gives the arithmetic that turns it into a count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileProcmailRegex } from '../src/regex/index.ts';

const scan = (pattern: string, text: string) =>
  compileProcmailRegex(pattern, { caseSensitive: false }).countMatches(text);

const HEADER =
  'From alice@example.org  Mon Jan  1 10:00:00 2001\n' +
  'Return-Path: <alice@example.org>\n' +
  'Received: from mx.example.org (mx.example.org [192.0.2.1]) \tby mail.example.net (Postfix) with ESMTP id 4F1A2B3C \tfor <bob@example.net>; Mon,  1 Jan 2001 10:00:00 +0000 (UTC)\n' +
  'From: Alice Example <alice@example.org>\n' +
  'To: Bob <bob@example.net>\n' +
  'Subject: Lunch on Friday\n' +
  'Date: Mon, 1 Jan 2001 10:00:00 +0000\n' +
  'Message-ID: <lunch-1@example.org>\n' +
  '\n';
const BODY = 'Hi Bob,\n\nShall we have lunch on Friday?\n\nFrom the desk of Alice\n-- \nAlice\n';

describe('052: counting in the lunch message', () => {
  it('10^1 ^[A-Z][a-z-]+: counts the 7 header fields (score 70)', () => {
    assert.deepEqual(scan('^[A-Z][a-z-]+:', HEADER), { count: 7, endless: false });
  });
  it('1^1 e counts the 6 letters e of the body', () => {
    assert.deepEqual(scan('e', BODY), { count: 6, endless: false });
  });
  it('2^0.5 over four fields gives 2+1+0.5+0.25 (score 3)', () => {
    assert.deepEqual(scan('^Received:|^From:|^To:|^Date:', HEADER), { count: 4, endless: false });
  });
  it('1^2 ^[A-Z] counts the 8 lines starting with a letter (score 255 = 2^8-1)', () => {
    assert.deepEqual(scan('^[A-Z]', HEADER), { count: 8, endless: false });
  });
});

describe('057: 1^1 ^.*$ counts lines, plus one for the empty rest after the last newline', () => {
  it('7 body lines count 8 (score -5+8 = 3)', () => {
    assert.equal(scan('^.*$', '1\n2\n3\n4\n5\n6\n7\n').count, 8);
  });
  it('2 body lines count 3', () => {
    assert.equal(scan('^.*$', 'one\ntwo\n').count, 3);
  });
});

describe('302/303: how successive searches continue', () => {
  it('matches are chosen by earliest end: a.*b|c counts 2 in "acab"', () => {
    assert.deepEqual(scan('a.*b|c', 'acab'), { count: 2, endless: false });
  });
  it('(a|c) counts 3 in "acab"', () => {
    assert.equal(scan('(a|c)', 'acab').count, 3);
  });
  it('a match on the virtual newline alone is empty: ^ is endless at once', () => {
    assert.deepEqual(scan('^', 'acab'), { count: 1, endless: true }); // 1^0.5: 1 + 0.5/(1-0.5) = 2
    assert.deepEqual(scan('^', 'a\n'), { count: 1, endless: true }); // 1^1: 2147483647
    assert.deepEqual(scan('x*', 'acab'), { count: 1, endless: true });
    assert.deepEqual(scan('', 'acab'), { count: 1, endless: true });
  });
  it('a match that takes the virtual newline after the area ends the count', () => {
    assert.deepEqual(scan('y$', 'body'), { count: 1, endless: false }); // 1^0.5: 1
    assert.deepEqual(scan('a$', 'a\n'), { count: 1, endless: false });
    assert.deepEqual(scan('a$^^', 'a\n'), { count: 1, endless: false });
  });
  it('a final ^^ ends its match at the end of the area, so the next search can be empty', () => {
    // 1^0.5 $^^ on "a\n" scores 2: 1, then an empty match worth 0.5 + 0.25/(1-0.5)
    assert.deepEqual(scan('$^^', 'a\n'), { count: 2, endless: true });
  });
  it('^^ is only at the start of the first search', () => {
    assert.equal(scan('^^a', 'acab').count, 1);
    assert.equal(scan('^^a|b', 'acab').count, 2);
    assert.equal(scan('^^.*$', 'ab\ncd').count, 1);
  });
  it('a search after a newline reuses that newline for ^', () => {
    assert.equal(scan('^.*$', 'ab\ncd').count, 2);
    assert.equal(scan('(^|b)c', 'ab\ncd').count, 1);
  });
  it('with \\/ every search sets MATCH; it may start on the reused newline', () => {
    assert.deepEqual(scan('[a-z]\\/[0-9]', 'ab1ab2'), { count: 2, endless: false, match: '2' });
    assert.deepEqual(scan('()\\/^.', 'ab\ncd'), { count: 2, endless: false, match: '\nc' });
  });
});

describe('recorded with random patterns against procmail', () => {
  it('b+\\/ counts 2 in "Aba-bb", MATCH grown by the x+ bug', () => {
    assert.deepEqual(scan('b+\\/', 'Aba-bb'), { count: 2, endless: false, match: 'b' });
  });
  it('an empty rest after a non-newline still gets a virtual newline, and a \\/ there sets nothing', () => {
    assert.deepEqual(scan('.*\\<\\/.*', 'Subject: [list] Hello a+b\nX-A:'), { count: 3, endless: false, match: 'X-A:' });
    assert.deepEqual(scan('b|$$', 'ab'), { count: 2, endless: false });
  });
});

describe('scan()', () => {
  it('yields each search lazily, with the MATCH it sets', () => {
    const c = compileProcmailRegex('[a-z]\\/[0-9]', { caseSensitive: false });
    const it = c.scan('ab1ab2ab3');
    assert.deepEqual(it.next().value, { endless: false, match: '1' });
    assert.deepEqual(it.next().value, { endless: false, match: '2' });
    assert.deepEqual([...it], [{ endless: false, match: '3' }]);
  });
  it('ends with the endless search', () => {
    assert.deepEqual([...compileProcmailRegex('$^^', { caseSensitive: false }).scan('a\n')], [
      { endless: false },
      { endless: true },
    ]);
  });
});

describe('count()', () => {
  it('is Infinity for endless matches and stops at the limit', () => {
    const c = compileProcmailRegex('e', { caseSensitive: false });
    assert.equal(c.count('eeee'), 4);
    assert.equal(c.count('eeee', 2), 2);
    assert.equal(c.count('xxxx'), 0);
    assert.equal(compileProcmailRegex('^', { caseSensitive: false }).count('abc'), Infinity);
  });
  it('honours D', () => {
    assert.equal(compileProcmailRegex('e', { caseSensitive: true }).count('eEeE'), 2);
    assert.equal(compileProcmailRegex('e', { caseSensitive: false }).count('eEeE'), 4);
  });
});
