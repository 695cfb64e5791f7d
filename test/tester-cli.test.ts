// sluice test: inputs of every kind, the explanation, the folder table, --json (the schema in
// docs/sluice-test.md), --diff against an rcfile and against a saved run, programs that only
// "would run", --run-programs, --lint, the progress bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runSession, type SessionOptions } from '../src/tester/session.ts';
import { folderTable, explain } from '../src/tester/report.ts';
import { FolderTally } from '../src/tester/summary.ts';
import { PLAIN } from '../src/tester/style.ts';
import { DryRun } from '../src/tester/runner.ts';
import { Progress } from '../src/tester/progress.ts';
import type { MessageJson, SummaryJson } from '../src/tester/json.ts';

const repo = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'sluice-tester-cli-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, 'home');
mkdirSync(join(home, 'Mail'), { recursive: true });

const MSGS = [
  'From: Alice <alice@example.org>\nTo: you@example.net\nSubject: lunch on Friday\nList-Id: Perl <perl.lists.example.org>\nMessage-ID: <m1@example.org>\n\nFriday?\n',
  'From: Bob <bob@example.biz>\nTo: you@example.net\nSubject: BUY NOW\nX-Spam-Flag: YES\nMessage-ID: <m2@example.biz>\n\nCheap.\n',
  'From: Carol <carol@example.com>\nTo: you@example.net\nSubject: hello\nMessage-ID: <m3@example.com>\n\nHi.\n',
];

const NEW_RC = `MAILDIR=$HOME/Mail
DEFAULT=$MAILDIR/inbox/
:0
* ^X-Spam-Flag: YES
spam/
:0
* 10^1 ^Subject:.*lunch
* 5^0 ^From:.*alice
* ^List-Id:.*<\\/[^.>]+
lists.$MATCH/
`;
const OLD_RC = NEW_RC.replace(':0\n* ^X-Spam-Flag: YES\nspam/\n', '');
const newRc = join(dir, 'new.rc');
const oldRc = join(dir, 'old.rc');
writeFileSync(newRc, NEW_RC);
writeFileSync(oldRc, OLD_RC);

// the same three messages as an mbox, a Maildir, an MH folder and a directory of .eml files
const mbox = join(dir, 'box.mbox');
writeFileSync(mbox, MSGS.map((m, i) => `From sender${i}@example.org  Mon Jan  1 10:00:0${i} 2001\n${m}\n`).join(''));
const maildir = join(dir, 'maildir');
for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
writeFileSync(join(maildir, 'new', '1000.1.host'), MSGS[0]!);
writeFileSync(join(maildir, 'new', '1001.1.host'), MSGS[1]!);
writeFileSync(join(maildir, 'cur', '1002.1.host:2,S'), MSGS[2]!);
const mh = join(dir, 'mh');
mkdirSync(mh);
MSGS.forEach((m, i) => writeFileSync(join(mh, String([1, 2, 10][i])), m));
const emls = join(dir, 'emls');
mkdirSync(join(emls, 'sub'), { recursive: true });
writeFileSync(join(emls, 'a.eml'), MSGS[0]!);
writeFileSync(join(emls, 'b.eml'), MSGS[1]!);
writeFileSync(join(emls, 'sub', 'c.eml'), MSGS[2]!);
writeFileSync(join(emls, 'README.md'), '# not mail\n');

const EXPECTED = [`maildir ${home}/Mail/lists.perl/`, `maildir ${home}/Mail/spam/`, `maildir ${home}/Mail/inbox/`];

async function session(inputs: string[], extra: Partial<SessionOptions> = {}): Promise<{ out: string; lines: unknown[] }> {
  let out = '';
  await runSession({
    dryRun: { rcfiles: [newRc], user: { name: 'tester', home } },
    inputs,
    format: 'json',
    report: { style: PLAIN, home },
    write: (s) => (out += s),
    ...extra,
  });
  return { out, lines: out.trim().split('\n').map((l) => JSON.parse(l) as unknown) };
}

function sluice(args: string[], input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), 'test', '--home', home, '--color', 'never', ...args], {
    cwd: repo, encoding: 'utf8', input: input ?? '',
  });
}

test('every kind of input gives the same messages in the same order', async () => {
  for (const input of [mbox, maildir, mh, emls]) {
    const { lines } = await session([input]);
    const messages = lines.filter((l) => (l as MessageJson).type === 'message') as MessageJson[];
    assert.deepEqual(messages.map((m) => m.destinations), EXPECTED.map((d) => [d]), input);
    assert.deepEqual(messages.map((m) => m.messageId), ['<m1@example.org>', '<m2@example.biz>', '<m3@example.com>'], input);
  }
  const { lines } = await session([mbox]);
  assert.deepEqual((lines as MessageJson[]).slice(0, 3).map((m) => [m.source, m.index]), [[mbox, 1], [mbox, 2], [mbox, 3]]);
});

test('--json follows the documented schema', async () => {
  const { lines } = await session([mbox]);
  const messages = lines.slice(0, -1) as MessageJson[];
  const summary = lines.at(-1) as SummaryJson;
  for (const m of messages) {
    assert.equal(m.type, 'message');
    assert.equal(m.schema, 1);
    for (const k of ['n', 'index', 'size', 'exit'] as const) assert.equal(typeof m[k], 'number', k);
    for (const k of ['source', 'log'] as const) assert.equal(typeof m[k], 'string', k);
    for (const k of ['destinations', 'deliveries', 'programs', 'recipes'] as const) assert.ok(Array.isArray(m[k]), k);
    assert.equal(typeof m.variables, 'object');
    for (const d of m.deliveries) {
      assert.ok(['mbox', 'maildir', 'mh', 'dir', 'devnull', 'pipe', 'forward', 'stdout'].includes(d.kind));
      assert.equal(typeof d.ok, 'boolean');
      assert.equal(typeof d.copy, 'boolean');
      assert.equal(typeof d.fallback, 'boolean');
    }
    for (const r of m.recipes) {
      assert.equal(typeof r.line, 'number');
      assert.equal(typeof r.flags, 'string');
      for (const c of r.conditions) assert.equal(typeof c.matched, 'boolean');
    }
  }
  const first = messages[0]!;
  assert.equal(first.exit, 0);
  assert.equal(first.variables.MATCH, 'perl');
  assert.equal(first.variables.MAILDIR, `${home}/Mail`);
  const lunch = first.recipes[1]!;
  assert.equal(lunch.line, 6);
  assert.equal(lunch.matched, true);
  assert.deepEqual(lunch.conditions, [
    { text: '^Subject:.*lunch', matched: true, score: 10 },
    { text: '^From:.*alice', matched: true, score: 15 },
    { text: '^List-Id:.*<\\/[^.>]+', matched: true, match: 'perl' },
  ]);
  assert.deepEqual(first.deliveries.map((d) => [d.kind, d.target, d.path, d.ok, d.copy, d.fallback, d.bytes]), [
    // from the mbox: the message ends with the empty line before the next From_ line
    ['maildir', 'lists.perl/', `${home}/Mail/lists.perl`, true, false, false, MSGS[0]!.length + 1],
  ]);
  assert.match(first.deliveries[0]!.file!, new RegExp(`^${home}/Mail/lists\\.perl/new/\\d+\\.\\d+_\\d+\\.`));
  const third = messages[2]!;
  assert.deepEqual(third.deliveries.map((d) => [d.kind, d.fallback]), [['maildir', true]]);
  assert.equal(summary.type, 'summary');
  assert.equal(summary.messages, 3);
  assert.equal(summary.notDelivered, 0);
  assert.deepEqual(summary.folders.map((f) => [f.destination, f.count]).sort(), EXPECTED.map((d) => [d, 1]).sort());
  // nothing was created by the dry run
  assert.deepEqual(readdirSync(join(home, 'Mail')), []);
});

test('the explanation shows recipes, conditions with scores and MATCH, deliveries and the outcome', async () => {
  const run = new DryRun({ rcfiles: [newRc], user: { name: 'tester', home } });
  const r = await run.runMessage({ source: 'a.eml', index: 1, raw: Buffer.from(MSGS[0]!) });
  assert.equal(explain(r, { style: PLAIN, home }), [
    '#1 a.eml',
    '  Subject: lunch on Friday',
    '  From:    Alice <alice@example.org>',
    `  rcfile ${newRc}`,
    '  MAILDIR="~/Mail"'.replace('~', home),
    '  DEFAULT="~/Mail/inbox/"'.replace('~', home),
    '  :0  line 3  no match',
    '     no  ^X-Spam-Flag: YES',
    '  :0  line 6  matched',
    '    yes  ^Subject:.*lunch      score +10 = 10',
    '    yes  ^From:.*alice         score +5 = 15',
    '    yes  ^List-Id:.*<\\/[^.>]+  MATCH="perl"',
    '    -> maildir ~/Mail/lists.perl/',
    '  => maildir ~/Mail/lists.perl/  exit 0',
    '',
  ].join('\n'));
});

test('the folder table', () => {
  const t = new FolderTally();
  const d = (kind: 'maildir' | 'mbox', path: string) => ({ kind, target: path, path, ok: true, copy: false, fallback: false });
  t.add({ deliveries: [d('maildir', `${home}/Mail/spam`)], exitCode: 0 });
  t.add({ deliveries: [d('maildir', `${home}/Mail/spam`)], exitCode: 0 });
  t.add({ deliveries: [d('mbox', `${home}/Mail/lists`), d('maildir', `${home}/Mail/spam`)], exitCode: 0 });
  t.add({ deliveries: [], exitCode: 73 });
  assert.equal(folderTable(t, { style: PLAIN, home }), [
    'messages  type     folder',
    '       3  maildir  ~/Mail/spam/',
    '       1  mbox     ~/Mail/lists',
    '       1           not-delivered (exit 73)',
    '4 messages, 1 not delivered',
    '',
  ].join('\n'));
});

test('--diff OLD.rc and --diff against a saved --json run', () => {
  const d = sluice(['--rc', newRc, '--diff', oldRc, '--no-progress', mbox]);
  assert.equal(d.status, 1, d.stderr);
  assert.match(d.stdout, /^#2 .*box\.mbox#2/m);
  assert.doesNotMatch(d.stdout, /^#[13] /m);
  assert.match(d.stdout, /^ {2}- maildir ~\/Mail\/inbox\/\n {2}\+ maildir ~\/Mail\/spam\/$/m);
  assert.match(d.stdout, /3 messages, 0 not delivered, 1 would go somewhere else/);

  const saved = sluice(['--rc', oldRc, '--json', mbox]);
  assert.equal(saved.status, 0, saved.stderr);
  const savedFile = join(dir, 'old-run.jsonl');
  writeFileSync(savedFile, saved.stdout);
  const j = sluice(['--rc', newRc, '--diff', savedFile, '--json', mbox]);
  assert.equal(j.status, 1);
  const lines = j.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.slice(0, 3).map((m: MessageJson) => m.diff), [
    { changed: false, before: [EXPECTED[0]] },
    { changed: true, before: [EXPECTED[2]] },
    { changed: false, before: [EXPECTED[2]] },
  ]);
  assert.equal(lines[3].changed, 1);
  // same rc: nothing changes, exit 0
  assert.equal(sluice(['--rc', newRc, '--diff', newRc, '--summary', mbox]).status, 0);
});

test('standard input, --brief and --lint', () => {
  const b = sluice(['--rc', newRc, '--brief'], MSGS[1]);
  assert.equal(b.status, 0, b.stderr);
  assert.equal(b.stdout.split('\n').slice(0, 2).join('\n'), '#1 -  BUY NOW\n  => maildir ~/Mail/spam/  exit 0');
  const badRc = join(dir, 'bad.rc');
  writeFileSync(badRc, '}\n:0\nbox/\n');
  const l = sluice(['--rc', badRc, '--lint', '--summary'], MSGS[0]);
  assert.equal(l.status, 1);
  assert.match(l.stderr, new RegExp(`^${badRc}:1:1: error: closing brace without a block`, 'm'));
  assert.match(l.stdout, /1 message, 0 not delivered/);
});

test('programs only "would run"; --run-programs runs conditions, filters and backticks in the sandbox, never pipes', async () => {
  const progHome = join(dir, 'prog-home');
  mkdirSync(progHome);
  const rc = join(dir, 'programs.rc');
  writeFileSync(rc, [
    'MAILDIR=$HOME',
    'STAMP=`touch backtick-ran; echo stamp`',
    ':0',
    '* ? touch condition-ran',
    '{ }',
    ':0 fw',
    '| sed s/Friday/Saturday/; touch filter-ran',
    ':0 c',
    '| touch pipe-ran',
    ':0 B',
    '* Saturday',
    'saturday/',
    ':0',
    'other/',
    '',
  ].join('\n'));
  const run = async (sandbox?: string) => {
    const r = await new DryRun({ rcfiles: [rc], user: { name: 'tester', home: progHome }, sandbox }).runMessage({ source: 'm', index: 1, raw: Buffer.from(MSGS[0]!) });
    return r;
  };
  const dry = await run();
  assert.deepEqual(dry.programs.map((p) => [p.purpose, p.ran, p.status]), [
    ['backtick', false, 0], ['condition', false, 0], ['filter', false, 0], ['pipe', false, 0],
  ]);
  assert.equal(dry.variables.STAMP, '');
  // the filter handed the message back unchanged: no Saturday
  assert.deepEqual(dry.deliveries.map((d) => [d.kind, d.target, d.copy]), [['pipe', 'touch pipe-ran', true], ['maildir', 'other/', false]]);
  assert.deepEqual(readdirSync(progHome), []);

  const sandbox = join(dir, 'sandbox');
  mkdirSync(sandbox);
  const real = await run(sandbox);
  assert.deepEqual(real.programs.map((p) => [p.purpose, p.ran, p.status]), [
    ['backtick', true, 0], ['condition', true, 0], ['filter', true, 0], ['pipe', false, 0],
  ]);
  assert.equal(real.variables.STAMP, 'stamp');
  assert.deepEqual(real.deliveries.map((d) => [d.kind, d.target]), [['pipe', 'touch pipe-ran'], ['maildir', 'saturday/']]);
  assert.deepEqual(readdirSync(sandbox).sort(), ['backtick-ran', 'condition-ran', 'filter-ran']);
  assert.deepEqual(readdirSync(progHome), []);
  assert.ok(!existsSync(join(repo, 'pipe-ran')));
});

test('the progress bar: only on a terminal, after a moment, cleared at the end', () => {
  let now = 0;
  let out = '';
  const sink = { isTTY: true, write: (s: string) => (out += s) };
  const p = new Progress(sink, 1000, { clock: () => now });
  p.update(10, 100);
  assert.equal(out, '', 'nothing in the first half second');
  now = 1000;
  p.update(500, 500);
  assert.equal(out, `\r[${'#'.repeat(15)}${'.'.repeat(15)}]  50%  500 messages  500/s\x1b[K`);
  p.done();
  assert.ok(out.endsWith('\r\x1b[K'));
  let quiet = '';
  const q = new Progress({ isTTY: false, write: (s: string) => (quiet += s) }, 1000, { clock: () => now });
  now = 5000;
  q.update(1, 1);
  q.done();
  assert.equal(quiet, '');
});

test('formail runs in-process: duplicates are found against a private copy of the cache', async () => {
  const dupHome = join(dir, 'dup-home');
  mkdirSync(dupHome);
  // the real cache already knows m3; it must come out of the run unchanged
  const cache = join(dupHome, 'msgid.cache');
  writeFileSync(cache, '<m3@example.com>\0\0');
  const rc = join(dir, 'dedup.rc');
  writeFileSync(rc, 'MAILDIR=$HOME\n:0 Wh: msgid.lock\n| formail -D 8192 msgid.cache\n:0 fhw\n| formail -I "X-Seen: yes"\n:0\n* ^X-Seen: yes\nseen/\n');
  const inputs = [join(emls, 'a.eml'), join(emls, 'b.eml'), join(emls, 'a.eml'), join(emls, 'sub', 'c.eml')];
  const { lines } = await session(inputs, { dryRun: { rcfiles: [rc], user: { name: 'tester', home: dupHome } } });
  const messages = lines.slice(0, -1) as MessageJson[];
  assert.deepEqual(messages.map((m) => m.destinations), [
    [`maildir ${dupHome}/seen/`],
    [`maildir ${dupHome}/seen/`],
    ['pipe formail -D 8192 msgid.cache'], // the second a.eml: a duplicate
    ['pipe formail -D 8192 msgid.cache'], // m3 was in the cache already
  ]);
  assert.deepEqual(messages[0]!.programs.map((p) => [p.purpose, p.command, p.ran, p.inProcess, p.status]), [
    ['pipe', 'formail -D 8192 msgid.cache', true, true, 1],
    ['filter', 'formail -I X-Seen: yes', true, true, 0],
  ]);
  assert.deepEqual(readdirSync(dupHome), ['msgid.cache']);
  assert.equal(readFileSync(cache, 'latin1'), '<m3@example.com>\0\0');
  // the private copy lives until the run is closed
  const run = new DryRun({ rcfiles: [rc], user: { name: 'tester', home: dupHome } });
  await run.runMessage({ source: 'a.eml', index: 1, raw: Buffer.from(MSGS[0]!) });
  const [copy] = run.host.formailCaches();
  assert.equal(copy!.path, cache);
  assert.equal(readFileSync(copy!.copy, 'latin1'), '<m3@example.com>\0<m1@example.org>\0\0');
  run.close();
  assert.ok(!existsSync(copy!.copy));
  assert.equal(readFileSync(cache, 'latin1'), '<m3@example.com>\0\0');
});
