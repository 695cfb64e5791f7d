// sluice test's predictions against what real procmail did: for every shared oracle case whose
// rc runs no program (no `|`, backticks, `?` conditions, `!` forwards, TRAP), the dry run's
// deliveries must name exactly the files procmail 3.22 created or changed in home/ and
// var-mail/ (the recorded `expected`), and the directories it created. Pipes into formail
// without shell metacharacters and without -s count as program-free too: the dry run answers
// them with sluice's own formail (src/tester/formail-model.ts), which is what makes the
// duplicate-dropping idiom predictable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DryRun, type DryRunOptions } from '../src/tester/runner.ts';
import type { Identity } from '../src/tester/access.ts';
import type { Delivery } from '../src/tester/model.ts';

const shared = process.env.SLUICE_SHARED ?? resolve(import.meta.dirname, '../../shared');
const casesDir = join(shared, 'oracle/cases');
/** Who the sandbox's files belong to when we are root: procmail runs as the test user there. */
const FAKE: Identity = { uid: 4242, gid: 4242, groups: [] };

/** Cases the automatic selection keeps that a dry run cannot predict, and why. */
const EXCLUDED: Record<string, string> = {
  // none so far: every selected case is predicted
};

/**
 * Files whose size the dry run does not predict as procmail wrote it, and why. The dry run
 * reports what sluice's real host writes; where that host still differs from procmail, so
 * does the prediction.
 */
const SIZE_EXCEPTIONS: Record<string, { file: string; why: string }> = {
  '160-msg-no-trailing-newline': {
    file: 'home/md/new/@U@',
    why: 'procmail drops the last byte of a Maildir message without final newline; src/deliver/format.ts maildirContent() does not',
  },
};

const PROGRAM_USE = [
  /`/, // backticks
  /^[ \t]*\|(?![ \t]*formail\b[^&|<>~;?*[\n]*$)/m, // pipe actions, except into formail without shell metacharacters
  /^[ \t]*\|[ \t]*formail\b.*[ \t][-+][A-Za-z0-9]*s/m, // formail -s runs commands
  /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=[ \t]*\|/m, // VAR=| captures
  /^[ \t]*!/m, // forwards
  /^[ \t]*\*[ \t]*(\$[ \t]*)?([-+0-9.,]+[ \t]*\^[ \t]*[-+0-9.,]+[ \t]*)?(![ \t]*)*\?/m, // ? conditions
  /\bTRAP\b/,
];

/** Does the case's rc (or a file its setup writes for INCLUDERC) run a program? */
function runsPrograms(dir: string): boolean {
  const texts = [readFileSync(join(dir, 'rc'), 'latin1')];
  for (const s of ['setup.sh', 'setup-root.sh']) if (existsSync(join(dir, s))) texts.push(readFileSync(join(dir, s), 'latin1'));
  // setup scripts write rc fragments with printf: look at those too, but not at their own shell syntax
  const rc = texts[0]!;
  const fragments = texts.slice(1).join('\n').match(/printf '[^']*'/g)?.join('\n').replace(/\\n/g, '\n') ?? '';
  return PROGRAM_USE.some((re) => re.test(rc) || re.test(fragments.replace(/^printf '/gm, '')));
}

interface Sandbox {
  root: string;
  home: string;
  spool: string;
  identity: Identity;
}

function sandbox(caseDir: string): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'sluice-tester-oracle-'));
  const home = join(root, 'home');
  const spool = join(root, 'var-mail');
  mkdirSync(home, { mode: 0o755 });
  mkdirSync(spool, { mode: 0o775 });
  writeFileSync(join(spool, 'mailtest'), '', { mode: 0o660 });
  writeFileSync(join(home, '.procmailrc'), readFileSync(join(caseDir, 'rc')), { mode: 0o644 });
  const env = { HOME: home, LOGNAME: 'mailtest', USER: 'mailtest', PATH: '/usr/local/bin:/usr/bin:/bin', SHELL: '/bin/sh', TZ: 'UTC', LANG: 'C', CASE_DIR: caseDir, ORACLE_USER: 'mailtest' };
  if (existsSync(join(caseDir, 'setup.sh'))) execFileSync('/bin/sh', [join(caseDir, 'setup.sh')], { cwd: home, env });
  const root0 = process.getuid?.() === 0;
  const identity: Identity = root0 ? FAKE : { uid: process.getuid!(), gid: process.getgid!(), groups: process.getgroups!() };
  // the files setup.sh made belong to the test user; setup-root.sh then makes root's (or nobody's)
  if (root0) execFileSync('chown', ['-R', `${FAKE.uid}:${FAKE.gid}`, home, join(spool, 'mailtest')]);
  if (existsSync(join(caseDir, 'setup-root.sh'))) {
    if (!root0) throw new Error('setup-root.sh needs root');
    execFileSync('/bin/sh', [join(caseDir, 'setup-root.sh')], { cwd: home, env });
  }
  chmodSync(home, 0o755);
  return { root, home, spool, identity };
}

/** The case's procmail arguments (args file) as dry-run options. */
function options(caseDir: string, sb: Sandbox): DryRunOptions {
  const rc = join(sb.home, '.procmailrc');
  const o: DryRunOptions = {
    rcfiles: [], assignments: ['SENDMAIL=/tmp/sluice-oracle/bin/sendmail'], args: [],
    user: { name: 'mailtest', home: sb.home }, identity: sb.identity, spoolDir: sb.spool, cwd: sb.home,
    hostname: 'oracle-host',
  };
  const callerEnv: Record<string, string> = { HOME: sb.home, LOGNAME: 'mailtest', USER: 'mailtest', PATH: '/usr/local/bin:/usr/bin:/bin', SHELL: '/bin/sh', TZ: 'UTC', LANG: 'C' };
  if (existsSync(join(caseDir, 'env'))) {
    for (const l of readFileSync(join(caseDir, 'env'), 'latin1').split('\n').filter(Boolean)) {
      const eq = l.indexOf('=');
      callerEnv[l.slice(0, eq)] = l.slice(eq + 1).replaceAll('@HOME@', sb.home);
    }
  }
  o.callerEnv = callerEnv;
  let norc = false;
  let rcPlaced = false;
  const args = existsSync(join(caseDir, 'args')) ? readFileSync(join(caseDir, 'args'), 'latin1').split('\n').filter(Boolean) : [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!.replaceAll('@HOME@', sb.home);
    if (a === '@NORC@') norc = true;
    else if (a === '@RC@') (o.rcfiles.push(rc), (rcPlaced = true));
    else if (a === '-f') o.fromSender = args[++k];
    else if (a === '-a') o.args!.push(args[++k]!);
    else if (a === '-d') (k = args.length, (norc = true));
    else if (a.startsWith('-')) {
      for (const c of a.slice(1)) {
        if (c === 'Y') o.berkeley = true;
        else if (c === 't') o.tempfail = true;
        else if (c === 'p') o.preserve = true;
        else if (c === 'o') o.override = true;
        else if (c === 'm') o.mailfilter = true;
      }
    } else if (a.includes('=') && !(o.mailfilter && o.rcfiles.length)) o.assignments!.push(a);
    else o.rcfiles.push(a);
  }
  if (!norc && !rcPlaced) o.rcfiles.push(rc);
  return o;
}

function messages(caseDir: string): Buffer[] {
  if (existsSync(join(caseDir, 'msg'))) return [readFileSync(join(caseDir, 'msg'))];
  const d = join(caseDir, 'msgs');
  return readdirSync(d).sort().map((n) => readFileSync(join(d, n)));
}

/** `home/x`, `var-mail/mailtest`: the oracle's names for the sandbox's paths. */
function oracleName(sb: Sandbox, abs: string): string {
  if (abs.startsWith(sb.home + '/')) return 'home/' + abs.slice(sb.home.length + 1);
  if (abs.startsWith(sb.spool + '/')) return 'var-mail/' + abs.slice(sb.spool.length + 1);
  return abs;
}

/** A predicted file as the oracle shows it (unique names become @U@). */
function predictedFile(sb: Sandbox, kind: Delivery['kind'], path: string, file: string | undefined): string | null {
  if (kind === 'devnull' || !file) return null;
  if (kind === 'maildir') return oracleName(sb, `${path}/new/@U@`);
  if (kind === 'dir') return oracleName(sb, file.replace(/<inode>$/, '@U@'));
  return oracleName(sb, file);
}

interface Outcome {
  files: string[];
  dirs: string[];
  /** Size of each file after the run (files with unique names: all sizes, sorted), where known. */
  sizes: Map<string, number[]>;
}

function expected(caseDir: string, logfiles: Set<string>): Outcome {
  const files: string[] = [];
  const dirs: string[] = [];
  const sizes = new Map<string, number[]>();
  const lines = readFileSync(join(caseDir, 'expected'), 'latin1').split('\n');
  for (let k = 0; k < lines.length; k++) {
    const m = /^(created|changed) (file|dir) \d+ (\S+)/.exec(lines[k]!);
    if (!m) continue;
    const name = m[3]!.replace(/@U\d+@/g, '@U@');
    if (m[2] === 'dir') {
      if (m[1] === 'created') dirs.push(name);
      continue;
    }
    if (logfiles.has(name) || name.startsWith('sent/')) continue;
    files.push(name);
    // bytes= is of the normalised content: only comparable when nothing in it was normalised
    const bytes = /^  bytes=(\d+)/.exec(lines[k + 1] ?? '');
    let content = '';
    for (let j = k + 2; j < lines.length && lines[j]!.startsWith('  '); j++) content += lines[j];
    if (bytes && !/@(NOW|EPOCH|U\d+)@/.test(content)) sizes.set(name, [...(sizes.get(name) ?? []), Number(bytes[1])].sort((a, b) => a - b));
  }
  return { files: files.sort(), dirs: dirs.sort(), sizes };
}

async function predict(caseDir: string): Promise<{ got: Outcome; logfiles: Set<string>; unsized: Set<string> }> {
  const sb = sandbox(caseDir);
  try {
    const run = new DryRun(options(caseDir, sb));
    const files = new Set<string>();
    const unique: string[] = [];
    const logfiles = new Set<string>();
    const sizes = new Map<string, number[]>();
    const sizeBefore = (abs: string) => {
      try {
        return statSync(abs).size;
      } catch {
        return 0;
      }
    };
    for (const raw of messages(caseDir)) {
      const r = await run.runMessage({ source: 'msg', index: 1, raw });
      if (run.host.logFile) logfiles.add(oracleName(sb, run.host.logFile));
      for (const d of r.deliveries) {
        if (!d.ok || !d.path) continue;
        for (const [kind, path, file] of [[d.kind, d.path, d.file], ...(d.links ?? []).map((l) => [l.kind, l.path, l.file])] as [Delivery['kind'], string, string | undefined][]) {
          const name = predictedFile(sb, kind, path, file);
          if (name === null) continue;
          if (name.includes('@U@')) {
            unique.push(name);
            sizes.set(name, [...(sizes.get(name) ?? []), d.bytes ?? -1].sort((a, b) => a - b));
          } else {
            if (!files.has(name)) sizes.set(name, [sizeBefore(file!)]);
            files.add(name);
            sizes.get(name)![0]! += d.bytes ?? 0;
          }
        }
      }
    }
    // what programs write: the duplicate caches of formail -D
    // (their sizes are not compared: the recorded bytes= of these NUL-separated files is one
    // less than formail 3.22 writes when run by hand; the harness's reading drops a NUL)
    const unsized = new Set<string>();
    for (const c of run.host.formailCaches()) {
      files.add(oracleName(sb, c.path));
      unsized.add(oracleName(sb, c.path));
    }
    run.close();
    const dirs = run.host.tree.created().filter((p) => run.host.tree.stat(p)?.type === 'dir').map((p) => oracleName(sb, p));
    return { got: { files: [...files, ...unique].sort(), dirs: dirs.sort(), sizes }, logfiles, unsized };
  } finally {
    rmSync(sb.root, { recursive: true, force: true });
  }
}

const available = existsSync(casesDir);
const all = available ? readdirSync(casesDir).sort() : [];
const selected = all.filter((n) => !runsPrograms(join(casesDir, n)));
const needsRoot = (n: string) => existsSync(join(casesDir, n, 'setup-root.sh'));

test('the program-free selection is large enough to mean something', { skip: !available && 'no shared oracle' }, () => {
  assert.ok(selected.length >= 80, `only ${selected.length} cases selected`);
  // spot checks of the selection rule
  assert.ok(selected.includes('003-mbox-subject-match'));
  assert.ok(!selected.includes('083-pipe-delivering'));
  assert.ok(!selected.includes('080-forward-simple'));
  assert.ok(!selected.includes('044-cond-program-exit'));
});

for (const name of selected) {
  const skip = !available ? 'no shared oracle'
    : EXCLUDED[name] ?? (needsRoot(name) && process.getuid?.() !== 0 ? 'setup-root.sh needs root' : false);
  test(`dry run predicts procmail: ${name}`, { skip }, async () => {
    const dir = join(casesDir, name);
    const { got, logfiles, unsized } = await predict(dir);
    const want = expected(dir, logfiles);
    assert.deepEqual(got.files, want.files, 'files written');
    assert.deepEqual(got.dirs, want.dirs, 'directories created');
    for (const [file, bytes] of want.sizes) {
      if (SIZE_EXCEPTIONS[name]?.file === file || unsized.has(file)) continue;
      assert.deepEqual(got.sizes.get(file), bytes, `size of ${file}`);
    }
  });
}
