// Behaviour of procmail patterns (yes/no and MATCH), each expectation taken from the real
// procmail: the oracle cases named in the test titles (/work/shared/oracle/cases) and the
// extra cases recorded while writing src/regex (301-syntax, 302-count, 303-misc, 304-macros).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileProcmailRegex } from '../src/regex/index.ts';
import { LUNCH_TEXT } from './helpers/fixtures.ts';

/** H, B and HB the way procmail searches them: header with folded lines joined, body. */
function areas(raw: string): { H: string; B: string; HB: string } {
  const split = raw.indexOf('\n\n');
  const H = raw.slice(0, split + 2).replace(/\n(?=[ \t])/g, ' ');
  const B = raw.slice(split + 2);
  return { H, B, HB: H + B };
}

const LUNCH = areas(LUNCH_TEXT);

const test = (pattern: string, text: string, caseSensitive = false): boolean =>
  compileProcmailRegex(pattern, { caseSensitive }).test(text);

const match = (pattern: string, text: string, caseSensitive = false): string | undefined | null => {
  const r = compileProcmailRegex(pattern, { caseSensitive }).exec(text);
  return r === null ? null : r.match;
};

/** Run a table of [pattern, expected] against one text. */
function table(text: string, rows: Array<[string, boolean]>, caseSensitive = false): void {
  for (const [pattern, expected] of rows) {
    assert.equal(test(pattern, text, caseSensitive), expected, `${JSON.stringify(pattern)} should ${expected ? '' : 'not '}match`);
  }
}

describe('anchors and newlines', () => {
  it('031: ^ and $ at line boundaries, . stops at newline, From_ is in the header', () => {
    table(LUNCH.H, [
      ['^From alice', true],
      ['^Subject: Lunch on Friday$', true],
      ['Friday$', true],
      ['^To:.*Subject', false],
      ['^Date:.*$^Message-ID', false], // $^ needs two newlines
      ['Lunch on Friday$^Date', false],
      ['^Date:.*$Message-ID', true],
      ['^Hi Bob', false],
      ['^$', true],
      ['^Received:.*for <bob', true],
      ['^\tby mail', false],
    ]);
  });

  it('035: in the middle ^ and $ are one newline each; the header ends with the empty line', () => {
    const H = areas(
      'From alice@example.org  Mon Jan  1 10:00:00 2001\n' +
        'Received: from mx.example.org (mx.example.org [192.0.2.1])\n' +
        '\tby mail.example.net (Postfix) with ESMTP id 4F1A2B3C\n' +
        'From: Alice Example <alice@example.org>\n' +
        'Subject: Lunch on Friday\n' +
        'Date: Mon, 1 Jan 2001 10:00:00 +0000\n' +
        'Message-ID: <lunch-1@example.org>\n' +
        '\n' +
        'Hi Bob, aa {2} literal\n',
    ).H;
    table(H, [
      ['Friday$Date', true],
      ['Friday^Date', true],
      ['Friday$^Date', false],
      ['^Message-ID:.*$$', true],
      ['^Message-ID:.*$^^', false],
      ['^Message-ID:.*$$^^', true],
      ['192\\.0\\.2\\.1\\]\\) \tby', true],
      ['^Subject: Lunch on Friday^', true],
      ['^\tby mail', false],
      ['a{2}', false],
      ['^Subject: .*{2}', false],
    ]);
  });

  it('039: ^^ is the very start or (at the end of the pattern) the very end of the area', () => {
    table(LUNCH.H, [
      ['^^From alice', true],
      ['^^Received', false],
    ]);
    table(LUNCH.B, [
      ['^^Hi Bob,$', true],
      ['^Alice$^^', true],
      ['Alice^^', false],
      ['^^(.*$)*-- $', true],
    ]);
  });

  it('032: areas: B, HB across the seam, ^^ at the start of each', () => {
    assert.equal(test('lunch', LUNCH.B), true);
    assert.equal(test('^Subject', LUNCH.B), false);
    assert.equal(test('Message-ID:.*$^$^Hi Bob', LUNCH.HB), false); // four newlines
    assert.equal(test('Message-ID:.*$$Hi Bob', LUNCH.HB), true);
    assert.equal(test('^^From alice', LUNCH.HB), true);
    assert.equal(test('^^Hi Bob', LUNCH.B), true);
    assert.equal(test('^^$', LUNCH.B), false);
    assert.equal(test('^Alice$', LUNCH.HB), true);
  });

  it('302: ^^ inside groups: at the end it is the end, under + the start', () => {
    table('body', [
      ['(y|^^)', true],
      ['(^^)+body', true],
      ['b(^^)?', true],
      ['^^^body', false],
      ['^body$$', false],
    ]);
  });

  it('the empty area is a virtual newline pair', () => {
    table('', [
      ['^$', true],
      ['^^$', true],
      ['^^^^', true],
      ['$$$', false],
      ['.', false],
    ]);
  });
});

describe('dialect', () => {
  it('048: alternation, classes, negated classes never take a newline, escapes, no POSIX classes', () => {
    const H = areas(
      'From: Alice Example <alice@example.org>\n' +
        'Subject: Lunch on Friday\n' +
        'Date: Mon, 1 Jan 2001 10:00:00 +0000\n' +
        'Message-ID: <lunch-1@example.org>\n' +
        'X-Amount: $100 (approx.)\n' +
        'X-Tab:\ttab\n' +
        '\n' +
        'x\n',
    ).H;
    table(H, [
      ['^Subject:.*(dinner|lunch)', true],
      ['^Subject: [A-Z][a-z]+ on', true],
      ['^Subject: Lunch( on)? Friday', true],
      ['^Subject:[^x]*Date', false],
      ['^Message-ID: <[^@]+@example\\.org>', true],
      ['^Message-ID: <lunch-1@example.org>', true],
      ['^Date: Mon, 1 Jan 2001 10:00:00 \\+0000', true],
      ['^Subject: (Lunch )+on', true],
      ['^X-Amount: \\$100', true],
      ['^X-Amount: \\$100 \\(approx\\.\\)', true],
      ['^X-Tab:\ttab', true],
      ['^X-Tab:[ \t]+tab', true],
      ['^Subject: [[:alpha:]]+', false],
      ['^X-Amount: [0-9]', false],
      ['^Subject: [^a-z]unch', false],
    ]);
  });

  it('030-style: case-insensitive by default, D makes it case-sensitive, ASCII only', () => {
    assert.equal(test('^FROM:.*ALICE', LUNCH.H), true);
    assert.equal(test('^FROM:.*ALICE', LUNCH.H, true), false);
    assert.equal(test('^Subject: [a-z]unch', LUNCH.H), true); // 301 item 23
    assert.equal(test('^Subject: [a-z]unch', LUNCH.H, true), false); // 301 item 22
    assert.equal(test('\xe9t\xe9', 'X: \xc9T\xc9\n'), false); // é/É are different bytes in C
    assert.equal(test('\xe9T\xe9', 'X: \xe9t\xe9\n'), true);
    assert.equal(test('[\xe0-\xef]', '\xc9'), false);
  });

  it('047: \\< and \\> consume one non-word byte or newline, the area edges included', () => {
    table(LUNCH.H, [
      ['^Subject:.*\\<Lunch\\>', true],
      ['^Subject:.*\\<unch', false],
      ['^Subject:.*Friday\\>', true],
      ['^To:.*\\<bob\\>', true],
      ['^Subject: \\<Lunch', false], // 301 item 16: the space is consumed by the blank itself
    ]);
    table('body', [
      ['(\\<)body', true], // 302 items 03/04
      ['body(\\>)', true],
      ['\\<ody', false],
    ]);
  });

  it('301: postfix operators apply once, a leading one is literal', () => {
    const H = 'X-A: aaa*\n';
    table(H, [
      ['^X-A: a**$', true],
      ['^X-A: aaa(*)', true],
      ['^X-A: a+?\\*', false],
      ['^X-A: a+\\*?', true],
      ['^X-A: (|x)aaa', true],
      ['*', true],
      ['+a', false],
    ]);
  });

  it('301: backslash quotes any character: \\n is n, a trailing backslash is itself', () => {
    table('Subject: Lunch on Friday\nX-B: back\\slash\\\n', [
      ['Lu\\nch', true],
      ['^X-B: back\\\\slash\\\\$', true],
      ['^X-B: .*\\', true],
      ['\\{', false],
    ]);
  });

  it('301: bracket expressions', () => {
    table('X-C: q\nX-C2: a\nX-C3: -\nX-D: br]acket [x]\n', [
      ['^X-C: [z-a]$', false],
      ['^X-C2: [z-a]$', true],
      ['^X-C3: [z-a]$', false],
      ['^X-D: br[]]acket', true],
      ['^X-D: br[\\]]acket', false],
      ['^X-D: br[]a', true],
      ['^X-D: .*\\[x\\]', true],
    ]);
    assert.equal(test('[a-]x', '-x'), true);
    assert.equal(test('[-a]x', '-x'), true);
    assert.equal(test('[^]a]', ']]a'), false);
    assert.equal(test('[^-a]', '-a\n'), false);
  });

  it('.: any byte but newline, NUL included', () => {
    assert.equal(test('a.b', 'a\0b'), true);
    assert.equal(test('a.b', 'a\nb'), false);
    assert.equal(test('a[^x]b', 'a\0b'), true);
  });

  it('036/301: invalid patterns are still used: ( is closed at the end, ) cuts the rest', () => {
    const open = compileProcmailRegex('^Subject: (Lunch', { caseSensitive: false });
    assert.equal(open.invalid, 'Invalid regexp "^Subject: (Lunch"');
    assert.equal(open.test(LUNCH.H), true);
    const close = compileProcmailRegex('^Subject: Lunch) xyz', { caseSensitive: false });
    assert.equal(close.invalid, 'Invalid regexp "^Subject: Lunch) xyz"');
    assert.equal(close.test(LUNCH.H), true);
    assert.equal(compileProcmailRegex('^Subject: (Lunch)', { caseSensitive: false }).invalid, undefined);
    // the logged text is the pattern after macro expansion (303 item 01)
    const macro = compileProcmailRegex('^TO_(bob', { caseSensitive: false });
    assert.equal(
      macro.invalid,
      'Invalid regexp "(^((Original-)?(Resent-)?(To|Cc|Bcc)|(X-Envelope|Apparently(-Resent)?)-To):(.*[^-a-zA-Z0-9_.])?)(bob"',
    );
    assert.equal(macro.test(LUNCH.H), true);
  });

  it('malformed patterns never throw', () => {
    for (const p of ['(', ')', '((', '))', '|', '||', '[', '[^', '\\', '*', '+', '?', '(*)+?', '^^^^', '$$', '(|)', '[]', '[^]', 'a{', '}', '(\\/)*', '\\/\\/\\/', '((((((((((a))))))))))']) {
      const c = compileProcmailRegex(p, { caseSensitive: false });
      assert.equal(typeof c.test('abc\n'), 'boolean', p);
      c.exec('abc\n');
      c.countMatches('abc\n', 5);
    }
  });

  it('directly nested repetitions collapse, so they stay within the engine', () => {
    const p = '('.repeat(1200) + 'a' + ')*'.repeat(1200);
    const c = compileProcmailRegex(p, { caseSensitive: false });
    assert.equal(c.unsupported, undefined);
    assert.equal(c.test('xaay'), true);
  });

  it('a pattern nested deeper than the engine allows is reported, not thrown', () => {
    const c = compileProcmailRegex('('.repeat(700) + 'a' + ')*b'.repeat(700), { caseSensitive: false });
    assert.match(c.unsupported ?? '', /too complex/);
    assert.equal(c.test('ab'), false);
    assert.equal(c.exec('ab'), null);
    assert.deepEqual(c.countMatches('ab'), { count: 0, endless: false });
  });
});

describe('macros', () => {
  // 304-macros (037's messages plus two To: messages): which macros matched each message
  const messages: Array<[string, string[]]> = [
    ['From MAILER-DAEMON  Mon Jan  1 10:00:00 2001\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.org>\nTo: bob@example.net\nSubject: m01 bounce\n\nx\n', ['daemon', 'mailer', 'to_bob', 'toexample']],
    ['From: Carol <carol@example.com>\nPrecedence: bulk\nSubject: m02 precedence bulk\n\nx\n', ['daemon']],
    ['From: majordomo@lists.example.com\nSubject: m03 majordomo\n\nx\n', ['daemon']],
    ['From: owner-perl@lists.example.com\nSubject: m04 owner-\n\nx\n', ['daemon']],
    ['From: Alice <alice@example.org>\nSubject: m05 normal\n\nx\n', []],
    ['From: root@example.org (Cron Daemon)\nSubject: m06 root cron\n\nx\n', ['daemon', 'mailer']],
    ['From: postmaster@example.org\nSubject: m07 postmaster\n\nx\n', ['daemon', 'mailer']],
    ['From: Dan Postmasterson <dan@example.org>\nSubject: m08 postmasterson name\n\nx\n', []],
    ['Mailing-List: contact list-help@example.org\nFrom: alice@example.org\nSubject: m09 Mailing-List header\n\nx\n', ['daemon']],
    ['From: noreply@example.org\nSubject: m10 noreply\n\nx\n', []],
    ['From: Carol <carol@example.com>\nTo: "Perl Users" <perl-users@lists.example.com>\nCc: Bob <bob@example.net>\nSubject: m11 to-tests\n\nx\n', ['to_bob', 'to_users', 'tousers', 'tolists', 'toexample']],
    ['From: Carol <carol@example.com>\nResent-To: dave@example.net\nDelivered-To: erin@example.net\nOriginal-Cc: frank@example.net\nSubject: m12 to-tests2\n\nx\n', ['to_dave', 'to_frank', 'toexample']],
  ];
  const patterns: Array<[string, string]> = [
    ['daemon', '^FROM_DAEMON'],
    ['mailer', '^FROM_MAILER'],
    ['to_bob', '^TO_bob@example\\.net'],
    ['to_ob', '^TO_ob@example\\.net'],
    ['to_users', '^TO_users'],
    ['tousers', '^TOusers'],
    ['tolists', '^TOlists'],
    ['to_dave', '^TO_dave'],
    ['to_erin', '^TO_erin'],
    ['to_frank', '^TO_frank'],
    ['toexample', '^TOexample'],
  ];
  for (const [raw, expected] of messages) {
    const subject = /Subject: (\S+)/.exec(raw)![1]!;
    it(`304 ${subject}: ${expected.join(' ') || '(none)'}`, () => {
      const H = areas(raw).H;
      const got = patterns.filter(([, p]) => test(p, H)).map(([name]) => name);
      assert.deepEqual(got, expected);
    });
  }

  it('301: D applies to macros, except that ^FROM_DAEMON forces case-insensitivity', () => {
    const H = areas(
      'From alice@example.org  Mon Jan  1 10:00:00 2001\nTo: Bob <bob@example.net>\ncc: carol@example.net\nSender: MAILER-DAEMON@example.org\n\nbody\n',
    ).H;
    assert.equal(test('^TO_carol@', H, true), false);
    assert.equal(test('^TO_carol@', H, false), true);
    assert.equal(test('^FROM_DAEMON', H, true), true);
    assert.equal(test('^FROM_MAILER', H, true), false);
    assert.equal(test('^FROM_MAILER', H, false), true);
  });

  it('303: a quoted or escaped macro stays literal text', () => {
    const H = 'Subject: x\nTO_bob: 1\nTo: Bob <bob@example.net>\n\n';
    assert.equal(compileProcmailRegex('^TO_bob', { caseSensitive: false, quotedStart: true }).test(H), true);
    assert.equal(test('q|\\^TO_bob', H), false);
    assert.equal(test('^TO_bob', H), true);
  });
});

describe('MATCH extraction', () => {
  it('040: list name from List-Id', () => {
    const H = 'List-Id: Perl users discussion <perl-users.lists.example.com>\nPrecedence: list\n\n';
    assert.equal(match('^List-Id:.*<\\/[^.>]+', H), 'perl-users');
  });

  it('041: right part leftmost-longest, left part shortest, $ included, case kept', () => {
    assert.equal(match('^Subject:\\/.*', LUNCH.H), ' Lunch on Friday');
    assert.equal(match('^Subject: *\\/[^ ].*', LUNCH.H), 'Lunch on Friday');
    assert.equal(match('^From:.*<\\/[^>]+', LUNCH.H), 'alice@example.org');
    assert.equal(match('^From:.*\\/<.*>', LUNCH.H), '<alice@example.org>');
    assert.equal(match('^From:\\/.*', LUNCH.H), ' Alice Example <alice@example.org>');
    assert.equal(match('^To:.*\\/bob', LUNCH.H), 'Bob');
    assert.equal(match('^X-Nonexistent:\\/.*', LUNCH.H), null);
    assert.equal(match('^\\/.*Friday.*', LUNCH.B), 'Shall we have lunch on Friday?');
    assert.equal(
      match('^Received:.*\\/by.*', LUNCH.H),
      'by mail.example.net (Postfix) with ESMTP id 4F1A2B3C \tfor <bob@example.net>; Mon,  1 Jan 2001 10:00:00 +0000 (UTC)',
    );
    assert.equal(match('^Subject:.*\\/Friday$', LUNCH.H), 'Friday\n');
    assert.equal(match('^Message-ID:.*\\/$', LUNCH.H), '\n');
  });

  it('203: sender name', () => {
    assert.equal(match('^From:.*<\\/[^@]+', LUNCH.H), 'alice');
  });

  it('no \\/: exec matches without MATCH', () => {
    const c = compileProcmailRegex('^Subject:.*lunch', { caseSensitive: false });
    assert.equal(c.extracts, false);
    assert.deepEqual(c.exec(LUNCH.H), {});
    assert.equal(c.exec(LUNCH.B), null);
  });

  it('301/302: MATCH starts at the earliest end of the left part that the right part can follow', () => {
    const H = 'From alice@example.org  Mon Jan  1 10:00:00 2001\nSubject: Lunch on Friday\nX-F: abcd\nX-H: wzvq\n\n';
    assert.equal(match('^X-F: (abcd|c)\\/.*', H), '');
    assert.equal(match('^X-F: a(bcd|b)\\/.*', H), 'cd');
    assert.equal(match('(wzv|z)\\/.*', H), 'vq');
    assert.equal(match('^X-F: a\\/b\\/c.*', H), 'cd'); // the last \/ wins
    assert.equal(match('^X-F: (a\\/bc|z)d', H), 'bcd'); // inside a group
    assert.equal(match('^X-F: \\/ab|^Subject: \\/Lu', H), 'Lu'); // in alternatives
  });

  it('305: at the edges of the area: the virtual newlines count for the split, never for MATCH', () => {
    // the right part may start on the virtual newline before the area, which wins
    assert.equal(match('\\/.*$', 'abc'), '');
    assert.equal(match('\\/.*', 'abc'), '');
    assert.equal(match('\\/b*', 'abc'), '');
    assert.equal(match('\\/', 'abc'), '');
    assert.equal(match('\\/^a', 'abc'), 'a');
    assert.equal(match('\\/[a-c]+', 'abc'), 'abc');
    assert.equal(match('b\\/c$^^', 'abc'), null); // $^^ needs a real final newline
    assert.equal(match('b\\/c$^^', 'abc\n'), 'c\n');
  });

  it('a match through a branch without \\/ that ends first leaves MATCH alone', () => {
    // recorded with random patterns against procmail
    assert.deepEqual(compileProcmailRegex('()([ab])*|[ab]?a*.*a*\\/|ab$ +', { caseSensitive: false }).exec('\nb  aa'), {});
    assert.deepEqual(compileProcmailRegex('x|a\\/b', { caseSensitive: false }).exec('xab'), {});
    assert.equal(match('x|a\\/b', 'abx'), 'b');
    assert.equal(match('a\\/b|ab', 'ab'), 'b'); // tie: the first branch decides
    assert.deepEqual(compileProcmailRegex('ab|a\\/b', { caseSensitive: false }).exec('ab'), {});
  });

  it("procmail's bug with x+ before \\/ and a right part that can be empty is reproduced", () => {
    const H = 'List-Id: Foo <foo.x.org>\nSubject:   spaced   out \n';
    assert.equal(match('^Subject: +\\/b*', H), '  ');
    assert.equal(match('^Subject: +\\/.*', H), '  spaced   out ');
    assert.equal(match('^Subject: +\\/s', H), 's'); // right part cannot be empty: no effect
  });

  it('MATCH keeps the bytes of the text (latin1)', () => {
    assert.equal(match('^Subject: \\/.*', 'Subject: caf\xe9 \xff\n'), 'caf\xe9 \xff');
  });
});
