// The literal prefilter: a pattern's required literal runs decide "no match" without running
// the program, so they must never rule out an area the program would match.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileProcmailRegex, translateProcmailRegex } from '../src/regex/index.ts';

const literals = (p: string, caseSensitive = false): string[] => translateProcmailRegex(p, { caseSensitive }).requiredLiterals;

describe('required literals', () => {
  it('are the runs of plain characters in the top-level sequence, lower-cased', () => {
    assert.deepEqual(literals('^List-Id:.*announce'), ['list-id:', 'announce']);
    assert.deepEqual(literals('^From:.*@example\\.org'), ['from:', '@example.org']);
    assert.deepEqual(literals('^Subject:.*(Invoice|invoice)'), ['subject:']);
    assert.deepEqual(literals('X-Spam-Flag: YES', true), ['x-spam-flag: yes']);
  });

  it('stop at newlines, classes, groups and repetitions', () => {
    assert.deepEqual(literals('ab$cd'), ['ab', 'cd']);
    assert.deepEqual(literals('ab[xy]cd'), ['ab', 'cd']);
    assert.deepEqual(literals('abc*d'), ['ab']);
    assert.deepEqual(literals('a(bc)d'), []);
    assert.deepEqual(literals('abc|def'), []);
  });
});

describe('matching with the prefilter', () => {
  const cases: Array<[pattern: string, caseSensitive: boolean, text: string, expected: boolean]> = [
    ['^Subject:.*invoice', false, 'To: x\nSUBJECT: an INVOICE\n', true],
    ['^Subject:.*invoice', false, 'To: x\nSubject: a bill\n', false],
    ['^Subject:.*Invoice', true, 'Subject: an invoice\n', false],
    ['^Subject:.*Invoice', true, 'Subject: an Invoice\n', true],
    // procmail folds ASCII only: the lower-cased text may contain the literal, the program says no
    ['caf\xe9', false, 'CAF\xc9\n', false],
    ['CAF\xc9', true, 'caf\xe9\n', false],
    ['caf\xe9', false, 'CAF\xe9\n', true],
    ['urgent', false, 'body text\nthis is URGENT\n', true],
  ];
  for (const [pattern, caseSensitive, text, expected] of cases) {
    it(`${JSON.stringify(pattern)}${caseSensitive ? ' (D)' : ''} on ${JSON.stringify(text)}: ${expected}`, () => {
      const re = compileProcmailRegex(pattern, { caseSensitive });
      assert.equal(re.test(text), expected);
      assert.equal(re.exec(text) !== null, expected);
      assert.equal(re.count(text) > 0, expected);
    });
  }

  it('MATCH extraction is unchanged when the literals are present', () => {
    const re = compileProcmailRegex('^Subject: *\\/[^ ].*', { caseSensitive: false });
    assert.deepEqual(re.exec('To: a\nSubject: hello there\n'), { match: 'hello there' });
    assert.equal(re.exec('To: a\n'), null);
  });
});
