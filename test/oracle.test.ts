// The differential oracle: every recorded case from ../shared/oracle (real procmail 3.22
// outcomes) plus the project's own recorded cases in test/oracle-cases, run against
// `sluice procmail`, compared byte for byte (files, logs, exit codes).
// Needs root (the harness switches to a test user) and procmail installed (.ci/run does it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const shared = process.env.SLUICE_SHARED ?? resolve(repo, '../shared');
const oracle = join(shared, 'oracle');
const ownCases = join(repo, 'test/oracle-cases');
const impl = '/tmp/sluice-oracle-impl';
// formail cases belong to the formail issue; they run in test/formail*.test.ts
const EXCLUDE = /^18\d-formail-/;

function why(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (the harness switches to the test user)';
  if (!existsSync('/usr/bin/procmail')) return 'procmail is not installed';
  if (!existsSync(join(oracle, 'compare.sh'))) return `no oracle at ${oracle}`;
  return null;
}

/** The test user must be able to read the implementation: stage a world-readable copy. */
function stage(): string {
  rmSync(impl, { recursive: true, force: true });
  mkdirSync(impl, { recursive: true });
  cpSync(join(repo, 'bin'), join(impl, 'bin'), { recursive: true });
  cpSync(join(repo, 'dist'), join(impl, 'dist'), { recursive: true });
  execFileSync('chmod', ['-R', 'a+rX', impl]);
  chmodSync(join(impl, 'bin/sluice'), 0o755);
  return `${impl}/bin/sluice procmail`;
}

const reason = why();
if (reason && process.env.CI) throw new Error(`oracle cannot run in CI: ${reason}`);

test('procmail oracle', { skip: reason ?? false, timeout: 40 * 60_000 }, async (t) => {
  const cmd = stage();
  const dirs = [
    ...readdirSync(join(oracle, 'cases')).filter((n) => !EXCLUDE.test(n)).map((n) => join(oracle, 'cases', n)),
    ...(existsSync(ownCases) ? readdirSync(ownCases).map((n) => join(ownCases, n)) : []),
  ].sort();
  const results = '/tmp/sluice-oracle-results';
  const run = spawnSync(join(oracle, 'compare.sh'), [cmd, ...dirs], {
    encoding: 'utf8',
    env: { ...process.env, ORACLE_RESULTS: results, ORACLE_TIMEOUT: '60' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = run.stdout.split('\n');
  const verdicts = new Map<string, boolean>();
  for (const l of lines) {
    const m = /^(PASS|FAIL) (\S+)/.exec(l);
    if (m) verdicts.set(m[2]!, m[1] === 'PASS');
  }
  assert.ok(verdicts.size >= dirs.length, `compare.sh reported ${verdicts.size} of ${dirs.length} cases\n${run.stderr}`);
  for (const d of dirs) {
    const name = d.split('/').pop()!;
    await t.test(name, () => {
      const ok = verdicts.get(name);
      if (!ok) {
        const diffFile = join(results, `${name}.diff`);
        const diff = existsSync(diffFile) ? readFileSync(diffFile, 'utf8') : '(no diff)';
        assert.fail(`${name} differs from real procmail:\n${diff.slice(0, 4000)}`);
      }
    });
  }
});
