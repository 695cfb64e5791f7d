// procmail dialect -> RE2 source. The texts run on the framed area (src/regex/frame.ts):
// \x{e000} and \x{e001} are the virtual newlines before and after it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandMacros, translateProcmailRegex } from '../src/regex/index.ts';

const NL = '[\\n\\x{e000}\\x{e001}]';
const whole = (pattern: string, caseSensitive = true): string =>
  translateProcmailRegex(pattern, { caseSensitive }).whole;

describe('translation of single items', () => {
  it('letters are folded by listing both cases unless D', () => {
    assert.equal(whole('^Subject:', false), `${NL}[Ss][Uu][Bb][Jj][Ee][Cc][Tt]\\:`);
    assert.equal(whole('^Subject:'), `${NL}Subject\\:`);
    assert.equal(whole('\xe9', false), '\\x{e9}'); // no folding outside ASCII
  });

  it('^ and $ are one newline (real or virtual) anywhere', () => {
    assert.equal(whole('^'), NL);
    assert.equal(whole('$'), NL);
    assert.equal(whole('a$^b'), `a${NL}${NL}b`);
  });

  it('^^ is the virtual newline before the area, or at the very end the end of the area', () => {
    assert.equal(whole('^^a'), '\\x{e000}a');
    assert.equal(whole('a^^'), 'a[\\x{e000}\\x{e001}]');
    assert.equal(whole('(a^^)*'), '(?:a\\x{e000})*');
    assert.equal(whole('(a|b^^)'), 'a|b[\\x{e000}\\x{e001}]');
    assert.equal(whole('a^^?'), 'a[\\x{e000}\\x{e001}]?');
    assert.equal(whole('a^^+'), 'a\\x{e000}+');
    assert.equal(whole('^^^'), `\\x{e000}${NL}`);
  });

  it('. and negated classes never take a newline; \\< and \\> do', () => {
    assert.equal(whole('.'), '[\\x{00}-\\t\\x{0b}-\\x{ff}]');
    assert.equal(whole('[^a-z]'), '[\\x{00}-\\t\\x{0b}-\\x{60}\\x{7b}-\\x{ff}]');
    assert.equal(whole('\\<'), '[\\x{00}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{5e}\\x{60}\\x{7b}-\\x{ff}\\x{e000}\\x{e001}]');
    assert.equal(whole('\\>'), whole('\\<'));
  });

  it('bracket expressions follow procmail', () => {
    assert.equal(whole('[]a]'), '[\\x{5d}a]');
    assert.equal(whole('[-a]'), '[\\x{2d}a]');
    assert.equal(whole('[a-]'), '[\\x{2d}a]');
    assert.equal(whole('[z-a]'), '[az]');
    assert.equal(whole('[a-c-e]'), '[a-e]');
    assert.equal(whole('[\\]]'), '\\\\\\]');
    assert.equal(whole('[[:alpha:]]'), '[\\x{3a}\\x{5b}ahlp]\\]');
    assert.equal(whole('[a-c]', false), '[A-Ca-c]');
    assert.equal(whole('[^a]', false), '[\\x{00}-\\t\\x{0b}-\\x{40}B-\\x{60}b-\\x{ff}]');
    assert.equal(whole('[ab'), '[ab]'); // unterminated: runs to the end
    assert.equal(whole('['), '[^\\x00-\\x{10ffff}]'); // empty: matches nothing
  });

  it('backslash quotes anything but / < >', () => {
    assert.equal(whole('\\n\\.\\{'), 'n\\.\\{');
    assert.equal(whole('a\\'), 'a\\\\');
  });

  it('braces are literal, postfix operators apply once', () => {
    assert.equal(whole('x{2}'), 'x\\{2\\}');
    assert.equal(whole('a**'), 'a*\\*');
    assert.equal(whole('a+?'), 'a+\\?');
    assert.equal(whole('(*)'), '\\*');
    assert.equal(whole('*a'), '\\*a');
  });

  it('groups, alternatives and empty pieces', () => {
    assert.equal(whole('(a|b)c'), '(?:a|b)c');
    assert.equal(whole('(a)'), 'a');
    assert.equal(whole('a|'), 'a|');
    assert.equal(whole('(|a)b'), '(?:|a)b');
    assert.equal(whole(''), '');
    assert.equal(whole('()*'), '(?:)*');
  });

  it('nested repetitions collapse', () => {
    assert.equal(whole('((a*)+)?'), 'a*');
    assert.equal(whole('((a+)+)'), 'a+');
    assert.equal(whole('((a?)?)'), 'a?');
    assert.equal(whole('((ab)+)?'), '(?:ab)*');
  });
});

describe('invalid patterns', () => {
  it('an unclosed ( is closed at the end', () => {
    const t = translateProcmailRegex('a(b', { caseSensitive: true });
    assert.equal(t.invalid, true);
    assert.equal(t.whole, 'ab');
  });
  it('an unbalanced ) ends the pattern', () => {
    const t = translateProcmailRegex('a|b)c|d', { caseSensitive: true });
    assert.equal(t.invalid, true);
    assert.equal(t.whole, 'a|b');
  });
  it('balanced patterns are valid', () => {
    assert.equal(translateProcmailRegex('(a(b)|c)', { caseSensitive: true }).invalid, false);
  });
  it('a NUL ends the pattern, as in C', () => {
    assert.equal(whole('ab\0c'), 'ab');
  });
});

describe('programs for counting and MATCH', () => {
  it('earliest end is a lookbehind over the whole pattern', () => {
    assert.equal(translateProcmailRegex('a|b', { caseSensitive: true }).earliestEnd, '(?<=a|b)');
  });

  it('the end-anchored variant only exists with a final ^^', () => {
    const t = translateProcmailRegex('a$^^', { caseSensitive: true });
    assert.equal(t.wholeEndAnchored, 'a[\\n\\x{e000}][\\x{e000}\\x{e001}]');
    assert.equal(translateProcmailRegex('a$', { caseSensitive: true }).wholeEndAnchored, undefined);
  });

  it('L\\/R becomes (?<=L)R; the last \\/ of a branch splits it', () => {
    const t = translateProcmailRegex('^From:.*<\\/[^>]+', { caseSensitive: true });
    assert.equal(t.extracts, true);
    assert.equal(t.whole, `${NL}From\\:[\\x{00}-\\t\\x{0b}-\\x{ff}]*\\<[\\x{00}-\\t\\x{0b}-\\x{3d}\\x{3f}-\\x{ff}]+`);
    assert.equal(t.extract, `(?<=${NL}From\\:[\\x{00}-\\t\\x{0b}-\\x{ff}]*\\<)[\\x{00}-\\t\\x{0b}-\\x{3d}\\x{3f}-\\x{ff}]+`);
    assert.equal(translateProcmailRegex('a\\/b\\/c', { caseSensitive: true }).extract, '(?<=ab)c');
    assert.equal(translateProcmailRegex('\\/a', { caseSensitive: true }).extract, 'a');
  });

  it('groups holding \\/ are distributed; branches without \\/ and repeated \\/ are left out', () => {
    assert.equal(translateProcmailRegex('x(a\\/b|c)y', { caseSensitive: true }).extract, '(?<=xa)by');
    assert.equal(translateProcmailRegex('p\\/q|r\\/s', { caseSensitive: true }).extract, '(?<=p)q|(?<=r)s');
    const repeated = translateProcmailRegex('(a\\/b)*c', { caseSensitive: true });
    assert.equal(repeated.extracts, true);
    assert.equal(repeated.extract, undefined);
  });

  it('too many branches fall back to top-level \\/ only', () => {
    const p = '(a|b)'.repeat(3) + '(c\\/d|e)' + '(f\\/g|h)'.repeat(6);
    const t = translateProcmailRegex(p, { caseSensitive: true });
    assert.equal(t.extract, undefined);
    const top = translateProcmailRegex('(c\\/d|e)'.repeat(7) + 'x\\/y', { caseSensitive: true });
    assert.match(top.extract!, /\)y$/);
  });
});

describe('macros', () => {
  const TO_ = '(^((Original-)?(Resent-)?(To|Cc|Bcc)|(X-Envelope|Apparently(-Resent)?)-To):(.*[^-a-zA-Z0-9_.])?)';
  const TO = '(^((Original-)?(Resent-)?(To|Cc|Bcc)|(X-Envelope|Apparently(-Resent)?)-To):(.*[^a-zA-Z])?)';

  it('expand anywhere in the pattern, ^TO_ before ^TO', () => {
    assert.deepEqual(expandMacros('^TO_bob'), { pattern: TO_ + 'bob', forceCaseInsensitive: false });
    assert.deepEqual(expandMacros('x|^TOlists'), { pattern: 'x|' + TO + 'lists', forceCaseInsensitive: false });
    assert.equal(expandMacros('^TOa|^TO_b').pattern, TO + 'a|' + TO_ + 'b');
    assert.equal(expandMacros('^to_bob').pattern, '^to_bob'); // keys are case-sensitive
  });

  it('^FROM_DAEMON forces case-insensitive matching', () => {
    const e = expandMacros('^FROM_DAEMON');
    assert.equal(e.forceCaseInsensitive, true);
    assert.match(e.pattern, /^\(\^\(Mailing-List:\|Precedence:/);
    assert.match(e.pattern, /\[%@>\t \]/);
    assert.equal(translateProcmailRegex('^FROM_DAEMON', { caseSensitive: true }).caseSensitive, false);
    assert.equal(translateProcmailRegex('^FROM_MAILER', { caseSensitive: true }).caseSensitive, true);
  });

  it('an escaped key stays, and (as in procmail) so do later copies of that key', () => {
    assert.equal(expandMacros('\\^TO_a').pattern, '\\^TO_a');
    assert.equal(expandMacros('\\^TO_a|^TO_b').pattern, '\\^TO_a|^TO_b');
    assert.equal(expandMacros('^TO_a', true).pattern, '^TO_a');
    assert.equal(expandMacros('x^TO_a', true).pattern, 'x' + TO_ + 'a');
  });
});
