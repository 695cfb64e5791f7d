// sluice lint: one small rcfile per check, with the exact lines it must print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatDiagnostic, lintFiles } from '../src/lint/lint.ts';

const repo = resolve(import.meta.dirname, '..');
const home = mkdtempSync(join(tmpdir(), 'sluice-lint-'));
mkdirSync(join(home, 'Mail'));
mkdirSync(join(home, 'Mail', 'saved'));
process.on('exit', () => rmSync(home, { recursive: true, force: true }));

/** Lints `text` as the file `name` in the scratch HOME; the lines it prints, with the directory cut. */
async function lint(name: string, text: string): Promise<string[]> {
  const file = join(home, name);
  writeFileSync(file, text);
  const diags = await lintFiles([file], { home, logname: 'tester' });
  return diags.map((d) => formatDiagnostic(d).replace(home + '/', ''));
}

test('a clean rcfile: nothing to say', async () => {
  assert.deepEqual(await lint('clean.rc', [
    'MAILDIR=$HOME/Mail',
    'DEFAULT=$MAILDIR/inbox/',
    ':0:',
    '* ^From:.*alice@example\\.org',
    'alice',
    ':0',
    '* ^List-Id:.*<\\/[^.>]+',
    '{',
    '  LIST=$MATCH',
    '  :0',
    '  lists.$LIST/',
    '}',
    ':0',
    'saved',
    '',
  ].join('\n')), []);
});

test('syntax procmail would log and skip', async () => {
  assert.deepEqual(await lint('syntax.rc', [
    'FOO=bar baz', // 1
    'this is not valid', // 2
    '}', // 3
    '/some/path', // 4
    ':0', // 5
    '* a', // 6
    '', // 7
    ':0', // 8
    'box/', // 9
    'X="unclosed', // 10
    '',
  ].join('\n')), [
    'syntax.rc:1:9: warning: an unquoted blank ends the value of FOO: procmail reads "baz" as more variables to unset (or skips it); quote the whole value [syntax]',
    'syntax.rc:2:6: warning: "this" alone unsets this, and procmail reads "is not valid" the same way (more unsets, or skipped) [syntax]',
    'syntax.rc:3:1: error: closing brace without a block: procmail ignores it (Closing brace unexpected) [syntax]',
    'syntax.rc:4:1: error: not an assignment or a recipe: procmail skips "/some/path" (Skipped) [syntax]',
    'syntax.rc:5:1: error: recipe without an action: an empty line ends its conditions and the next recipe starts (Missing action) [syntax]',
    'syntax.rc:10:1: warning: unreachable: the recipe on line 8 delivers every message, so procmail gets here only if that write fails [unreachable]',
    'syntax.rc:10:3: error: unterminated quote: procmail reads the rest of the file into it and skips it (Unexpected EOL) [syntax]',
  ]);
  assert.deepEqual(await lint('incomplete.rc', ':0\n* a\n'), [
    'incomplete.rc:1:1: error: recipe without an action at the end of the file (Incomplete recipe) [syntax]',
  ]);
  assert.deepEqual(await lint('brace.rc', ':0\n* a\n{\n  :0\n  box/\n'), [
    'brace.rc:3:1: warning: block is not closed before the end of the file (procmail closes it silently) [syntax]',
  ]);
  assert.deepEqual(await lint('crlf.rc', ':0\r\n* a\r\nbox/\r\n'), [
    'crlf.rc:1:3: warning: carriage return at the end of the line (DOS line endings): procmail makes it part of regexes, folder names and values [syntax]',
    'crlf.rc:1:3: error: procmail skips "\\r" in the recipe header (Skipped) [syntax]',
    'crlf.rc:3:1: warning: delivery to the mbox "box/\\r" without a lockfile: write ":0:" so that two deliveries cannot mix their messages [mbox-lock]',
  ]);
  assert.deepEqual(await lint('badsub.rc', 'X=${1abc}\n'), [
    'badsub.rc:1:3: error: bad substitution ${1abc...}: procmail drops it (Bad substitution of "1abc") [syntax]',
  ]);
});

test('unknown flags', async () => {
  assert.deepEqual(await lint('flag.rc', ':0 Bzc\n* a\nbox/\n'), [
    'flag.rc:1:5: error: unknown flag "z": procmail ignores it and everything after it on the line (Skipped "zc") [unknown-flag]',
  ]);
});

test('conflicting and useless flags', async () => {
  assert.deepEqual(await lint('flags.rc', [
    ':0 Ee', // 1
    '* a',
    'foo/',
    ':0 ae', // 4
    '* b',
    'foo/',
    ':0 fc', // 7
    '| cat',
    ':0 f', // 9
    '* c',
    'filtered/',
    ':0 hc:', // 12
    '{ }',
    ':0', // 14
    '* d',
    '{ }',
    ':0 h', // 17
    'head/',
    '',
  ].join('\n')), [
    'flags.rc:1:4: warning: flags E and e conflict: procmail ignores E (Conflicting else-if-flag suppressed) [flags]',
    'flags.rc:4:4: warning: flags a and e conflict: procmail ignores a (Conflicting also-if-succeeded-flag suppressed) [flags]',
    'flags.rc:7:5: warning: flag c has no effect on a filter (Extraneous copy-flag ignored) [flags]',
    'flags.rc:9:4: warning: flag f has no effect on a folder (Extraneous filter-flag ignored) [flags]',
    'flags.rc:12:4: warning: flag h has no effect on a block (Extraneous deliver-head flag ignored) [flags]',
    'flags.rc:12:1: warning: flag c on a block that delivers nothing: the copy carries on after the block and is delivered again (to DEFAULT); drop the c [copy-block]',
    'flags.rc:17:4: warning: flag h without b delivers only the header: the body of the message is lost [flags]',
  ].sort(byPosition));
});

test('mbox without a lockfile', async () => {
  assert.deepEqual(await lint('lock.rc', [
    'MAILDIR=$HOME/Mail',
    ':0', // 2
    '* ^Subject:.*x',
    'spam',
    ':0', // 5: Maildir
    '* ^Subject:.*y',
    'spam/',
    ':0', // 8: an existing directory
    '* ^Subject:.*z',
    'saved',
    ':0:', // 11
    '* ^Subject:.*w',
    'locked',
    ':0',
    '* ^Subject:.*v',
    '/dev/null',
    '',
  ].join('\n')), [
    'lock.rc:4:1: warning: delivery to the mbox "spam" without a lockfile: write ":0:" so that two deliveries cannot mix their messages [mbox-lock]',
  ]);
  // a global LOCKFILE serialises everything
  assert.deepEqual(await lint('global.rc', 'MAILDIR=$HOME/Mail\nLOCKFILE=$HOME/.lock\n:0\n* a\nspam\n'), []);
});

test('unescaped dots in address patterns', async () => {
  assert.deepEqual(await lint('dot.rc', [
    ':0:',
    '* ^From:.*@example.com',
    'example',
    ':0:',
    '* ^List-Id:.*<procmail.lists.example.org>',
    'lists',
    ':0:',
    '* ^Subject:.*v1.2', // not an address
    'plain',
    ':0:',
    '* ^To:.*bob@example\\.org', // escaped
    'bob',
    '',
  ].join('\n')), [
    'dot.rc:2:19: warning: unescaped "." matches any character: for the literal "example.com" write "example\\.com" [address-dot]',
    'dot.rc:5:23: warning: unescaped "." matches any character: for the literal "procmail.lists.example.org" write "procmail\\.lists\\.example\\.org" [address-dot]',
  ]);
});

test('conditions that can never match, and regexes procmail reads differently', async () => {
  assert.deepEqual(await lint('never.rc', [
    ':0', // 1
    '* ! .*',
    'never/',
    ':0', // 4
    '* ^Subject: a',
    '* ! ^Subject: a',
    'never2/',
    ':0', // 8
    '* > 1000',
    '* < 500',
    'never3/',
    ':0', // 12
    '* -10^1 ^Subject',
    '* 0^0 foo',
    'never4/',
    ':0', // 16
    '* [[:digit:]]{3}',
    'odd/',
    ':0', // 19
    '* ^Subject: (unclosed',
    'bad/',
    ':0', // 22
    '* < 0',
    'never5/',
    '',
  ].join('\n')), [
    'never.rc:2:3: warning: "! .*" can never match: ".*" matches every text [never-matches]',
    'never.rc:4:1: warning: this recipe can never match: "^Subject: a" and "! ^Subject: a" contradict each other [never-matches]',
    'never.rc:8:1: warning: this recipe can never match: no message size is both at least 1001 and at most 499 bytes [never-matches]',
    'never.rc:12:1: warning: this recipe can never match: its weights can only lower the score, and a recipe needs a score above 0 [never-matches]',
    'never.rc:17:3: warning: procmail has no POSIX classes: "[[:digit:]]" means one of the characters "[:digit:" followed by "]" [regex]',
    'never.rc:17:14: warning: procmail has no {n,m} repetition: "{3}" matches that text literally [regex]',
    'never.rc:20:3: error: invalid regular expression: procmail logs Invalid regexp "^Subject: (unclosed" at every message and uses what it understood [regex]',
    'never.rc:23:3: warning: "< 0" can never match: a message is never shorter than 0 bytes [never-matches]',
  ]);
});

test('recipes after one that always delivers', async () => {
  assert.deepEqual(await lint('unreach.rc', [
    ':0', // 1
    '* ^Subject: a',
    'foo/',
    ':0', // 4: delivers everything
    'all/',
    ':0', // 6
    '* ^Subject: b',
    'not-reached/',
    '',
  ].join('\n')), [
    'unreach.rc:6:1: warning: unreachable: the recipe on line 4 delivers every message, so procmail gets here only if that write fails [unreachable]',
  ]);
  // inside a block, and a block that always delivers ends its parent too; `e` recipes and
  // waited-for pipes are fine
  assert.deepEqual(await lint('unreach2.rc', [
    ':0', // 1
    '{',
    '  :0', // 3
    '  inner/',
    '  LOG="x"', // 5
    '}',
    'LOG="after"', // 7
    '',
  ].join('\n')), [
    'unreach2.rc:5:3: warning: unreachable: the recipe on line 3 delivers every message, so procmail gets here only if that write fails [unreachable]',
    'unreach2.rc:7:1: warning: unreachable: the recipe on line 1 delivers every message, so procmail gets here only if that write fails [unreachable]',
  ]);
  assert.deepEqual(await lint('fallback.rc', ':0 w\n| deliver-somewhere\n:0 e\nfailed/\n:0 c\ncopy/\n:0\nrest/\n'), []);
});

test('c on a block that delivers nothing', async () => {
  assert.deepEqual(await lint('copy.rc', [
    ':0 c', // 1
    '* ^Subject: a',
    '{',
    '  LOG="copy"',
    '}',
    ':0 c', // 6: delivers inside
    '{',
    '  :0',
    '  copy/',
    '}',
    '',
  ].join('\n')), [
    'copy.rc:1:1: warning: flag c on a block that delivers nothing: the copy carries on after the block and is delivered again (to DEFAULT); drop the c [copy-block]',
  ]);
});

test('header-derived variables in commands', async () => {
  assert.deepEqual(await lint('unsafe.rc', [
    ':0', // 1
    '* ^Subject:\\/.*',
    '{',
    '  SUBJ=$MATCH', // 4
    '  :0 c',
    '  | echo $MATCH >> subjects', // 6: shell, unquoted
    '  :0 c',
    '  | echo "$SUBJ" >> subjects', // 8: shell, quoted: fine
    '  :0 c',
    '  | mailer $SUBJ', // 10: no metacharacters, procmail splits
    '  :0 c',
    '  | sh -c "echo $MATCH"', // 12: parsed again
    '  :0 c',
    '  ! $MATCH', // 14: forward
    '  :0',
    '  * $ ? test "$MATCH" = x;', // 16: substituted before the shell
    '  foo/',
    '}',
    'FROM=`formail -xFrom:`', // 19
    ':0 c',
    '| echo $FROM | cat', // 21
    '',
  ].join('\n')), [
    'unsafe.rc:6:10: warning: header-derived $MATCH is unquoted in a shell command: the shell splits it and expands wildcards in it; write "$MATCH" [unsafe-shell]',
    'unsafe.rc:10:12: warning: procmail splits header-derived $SUBJ into separate arguments: text from the message can add options; write "$SUBJ" [unsafe-shell]',
    'unsafe.rc:12:17: warning: header-derived $MATCH reaches a command that parses it again (eval, sh -c, ssh): text from the message runs as shell code [unsafe-shell]',
    'unsafe.rc:14:5: warning: forwarding to header-derived $MATCH: the message chooses where it is sent [unsafe-shell]',
    'unsafe.rc:16:15: warning: header-derived $MATCH is substituted by procmail before the shell reads the command: text from the message runs as shell code [unsafe-shell]',
    'unsafe.rc:21:8: warning: header-derived $FROM is unquoted in a shell command: the shell splits it and expands wildcards in it; write "$FROM" [unsafe-shell]',
  ]);
});

test('INCLUDERC and SWITCHRC files that do not exist; included files are checked too', async () => {
  writeFileSync(join(home, 'Mail', 'lists.rc'), ':0\n* ^List-Id: x.y\n{\n');
  assert.deepEqual(await lint('include.rc', [
    'MAILDIR=$HOME/Mail',
    'INCLUDERC=$HOME/missing.rc', // 2
    'INCLUDERC=lists.rc', // 3: exists, relative to MAILDIR
    'INCLUDERC=`echo x`', // 4: unknown: not checked
    'SWITCHRC=nope.rc', // 5
    '',
  ].join('\n')), [
    `include.rc:2:11: error: INCLUDERC file "${home}/missing.rc" does not exist: procmail logs "Couldn't read" and goes on without it [includerc]`,
    `include.rc:5:10: error: SWITCHRC file "nope.rc" does not exist (${home}/Mail/nope.rc): procmail logs "Couldn't read" and goes on without it [includerc]`,
    'Mail/lists.rc:2:14: warning: unescaped "." matches any character: for the literal "x.y" write "x\\.y" [address-dot]',
    'Mail/lists.rc:3:1: warning: block is not closed before the end of the file (procmail closes it silently) [syntax]',
  ]);
  assert.deepEqual(await lint('maildir.rc', 'MAILDIR=$HOME/NoSuchDir\n'), [
    `maildir.rc:1:9: warning: MAILDIR "${home}/NoSuchDir" is not a directory: procmail logs "Couldn't chdir" and stays where it was, with MAILDIR set to "." [maildir]`,
  ]);
});

function byPosition(a: string, b: string): number {
  const pa = /:(\d+):(\d+):/.exec(a)!;
  const pb = /:(\d+):(\d+):/.exec(b)!;
  return Number(pa[1]) - Number(pb[1]) || Number(pa[2]) - Number(pb[2]);
}

test('sluice lint: GNU-style output on stdout, exit status 1 on errors only', () => {
  const warn = join(home, 'warn.rc');
  const err = join(home, 'err.rc');
  writeFileSync(warn, ':0\n* a\nmbox\n');
  writeFileSync(err, '}\n');
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), 'lint', '--home', home, ...args], { cwd: repo, encoding: 'utf8' });
  const w = run(warn);
  assert.equal(w.status, 0);
  assert.equal(w.stdout, `${warn}:3:1: warning: delivery to the mbox "mbox" without a lockfile: write ":0:" so that two deliveries cannot mix their messages [mbox-lock]\n`);
  const e = run(warn, err);
  assert.equal(e.status, 1);
  assert.match(e.stdout, new RegExp(`^${err}:1:1: error: closing brace without a block`, 'm'));
  assert.equal(run('--errors-only', warn).stdout, '');
  assert.equal(run().status, 64);
});
