// The whole spam/ham corpus through a realistic rc twice: once with `sluice test`'s dry run,
// once delivered for real (the same engine with the real host, in this process, into a
// scratch directory). The per-folder counts must agree (and the mbox sizes to the byte), and
// the dry run must leave every directory it looked at exactly as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Engine } from '../src/engine/engine.ts';
import { RealHost } from '../src/deliver/host.ts';
import { processUmask, setProcessUmask } from '../src/deliver/umask.ts';
import { readMessage } from '../src/message/index.ts';
import { startEnvironment } from '../src/tester/environment.ts';
import { forEachMessage, planInputs } from '../src/mailbox/read.ts';
import { DryRun } from '../src/tester/runner.ts';
import { FolderTally } from '../src/tester/summary.ts';

const shared = process.env.SLUICE_SHARED ?? resolve(import.meta.dirname, '../../shared');
const corpus = join(shared, 'corpus/spam-ham');

// ten recipes of the kinds real rcfiles have: flags from a spam filter, weighted scoring, a
// folder per mailing list from MATCH, nested blocks, an E chain, a c copy, a body search, a
// size limit, mbox with locks, Maildir, MH and /dev/null
const RC = `MAILDIR=$MAILROOT
DEFAULT=$MAILDIR/inbox/
LOGFILE=$MAILDIR/procmail.log
LOGABSTRACT=all

:0
* ^(Subject: *$|Precedence: *junk)
/dev/null

:0
* ^X-Spam-(Flag: *YES|Status: *Yes)
spam/

:0
* 200^0 ^Subject:.*(free|\\$\\$\\$|viagra|money|cash|offer|win)
* 100^0 ^Subject:[^a-z]*$
* -150^0 ^List-Id:
* 40^1 B ?? (click here|unsubscribe|remove me)
probably-spam/

:0
* ^List-Id:[^<]*<\\/[a-z0-9-]+
{
  LISTNAME=$MATCH
  :0:
  lists.$LISTNAME
}

:0:
* ^(Sender|X-BeenThere):.*\\/[a-z0-9-]+@
lists-other

:0
* > 40000
big/.

:0 c
* ^Subject:.*\\<(sa|spamassassin)\\>
archive/

:0
* ^From:.*@(yahoo|hotmail)\\.com
freemail/
:0 E
* ^From:.*\\.(jp|kr|cn|ru)>?$
foreign/

:0 B:
* ^-----BEGIN PGP
signed
`;

/** path -> size, mtime, mode of everything under `dir` (a directory's own entry too). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string) => {
    const st = lstatSync(p);
    out.set(relative(dir, p) || '.', `${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${st.nlink}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return out;
}

/** Messages per folder in a real delivery tree: Maildir and MH by their files, the rest by the log. */
function realCounts(root: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (k: string, n = 1) => counts.set(k, (counts.get(k) ?? 0) + n);
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (!statSync(p).isDirectory()) continue;
      const rel = relative(root, p);
      if (existsSync(join(p, 'new'))) add(`maildir ${rel}/`, readdirSync(join(p, 'new')).length + readdirSync(join(p, 'cur')).length);
      else if (readdirSync(p).some((f) => /^\d+$/.test(f))) add(`mh ${rel}/.`, readdirSync(p).filter((f) => /^\d+$/.test(f)).length);
      else walk(p);
    }
  };
  walk(root);
  // mboxes and /dev/null: the log abstract has one "  Folder:" line per delivery
  for (const line of readFileSync(join(root, 'procmail.log'), 'latin1').split('\n')) {
    const m = /^  Folder: (\S+)/.exec(line);
    if (!m || m[1]!.includes('/new/') || /\/\d+$/.test(m[1]!)) continue;
    add(m[1] === '/dev/null' ? 'devnull /dev/null' : `mbox ${m[1]}`);
  }
  return counts;
}

function relativeKey(key: string, root: string): string {
  return key.replace(` ${root}/`, ' ');
}

test('dry run over the spam/ham corpus: same folders as a real delivery, nothing written', { skip: !existsSync(corpus) && 'no corpus', timeout: 120_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'sluice-tester-corpus-'));
  const savedCwd = process.cwd();
  const savedUmask = processUmask();
  try {
    const rc = join(work, 'rc');
    writeFileSync(rc, RC, { mode: 0o644 });
    const dryRoot = join(work, 'dry');
    const dryHome = join(work, 'dry-home');
    const dryCwd = join(work, 'dry-cwd');
    const realRoot = join(work, 'real');
    for (const d of [dryRoot, dryHome, dryCwd, realRoot]) mkdirSync(d);
    const files = planInputs([corpus]);
    assert.equal(files.length, 656);

    const watched = [dryRoot, dryHome, dryCwd, work, corpus];
    const before = watched.map(snapshot);

    // the dry run
    const dry = new DryRun({ rcfiles: [rc], assignments: [`MAILROOT=${dryRoot}`], user: { name: 'tester', home: dryHome }, cwd: dryCwd });
    const predicted = new FolderTally();
    const mboxBytes = new Map<string, number>();
    await forEachMessage(files, async (m) => {
      const r = await dry.runMessage(m);
      predicted.add(r);
      for (const d of r.deliveries) if (d.ok && d.kind === 'mbox') mboxBytes.set(relative(dryRoot, d.path!), (mboxBytes.get(relative(dryRoot, d.path!)) ?? 0) + d.bytes!);
    });
    assert.equal(predicted.messages, 656);
    const after = watched.map(snapshot);
    for (let i = 0; i < watched.length; i++) assert.deepEqual(after[i], before[i], `the dry run changed ${watched[i]}`);
    assert.equal(process.cwd(), savedCwd);

    // the real delivery, message by message as `sluice procmail` would do it
    const host = new RealHost();
    for (const f of files) {
      const msg = readMessage(readFileSync(f.path), { now: new Date() });
      const env = startEnvironment({ preserve: false, mailfilter: false, commandLineRc: true, user: { name: 'tester', home: realRoot }, hostname: host.hostname(), callerEnv: {} });
      const engine = new Engine({
        fx: host, mail: msg, berkeley: false, env, args: [], argv0: 'procmail', tempfail: false,
        assignments: [`MAILROOT=${realRoot}`], rcfiles: [{ path: rc, kind: 'absolute' }], mailfilter: false, defaultMaildir: realRoot,
      });
      const { exitCode } = await engine.run();
      assert.equal(exitCode, 0, f.path);
    }
    process.chdir(savedCwd);
    host.setLogfile(undefined);

    const want = realCounts(realRoot);
    const got = new Map(predicted.rows().map((r) => [relativeKey(r.destination, dryRoot), r.count]));
    assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...want].sort()));
    // the rc is meant to exercise every kind of folder
    const kinds = new Set([...got.keys()].map((k) => k.split(' ')[0]));
    assert.deepEqual([...kinds].sort(), ['devnull', 'maildir', 'mbox', 'mh']);
    assert.ok(got.size >= 8, `only ${got.size} folders used`);
    for (const [file, bytes] of mboxBytes) assert.equal(statSync(join(realRoot, file)).size, bytes, `size of ${file}`);
  } finally {
    process.chdir(savedCwd);
    setProcessUmask(savedUmask);
    rmSync(work, { recursive: true, force: true });
  }
});
