// The procmail command line outside the oracle's reach: privileges in -d mode, signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';


const repo = resolve(import.meta.dirname, '..');
const isRoot = process.getuid?.() === 0;

/** A copy of the launcher and bundle that an unprivileged user can read. */
function stagedLauncher(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  cpSync(join(repo, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(repo, 'dist'), join(dir, 'dist'), { recursive: true });
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  chmodSync(dir, 0o755);
  return join(dir, 'bin/sluice');
}

test('-d for another user without privileges: refused with EX_NOPERM, nothing delivered', { skip: isRoot ? false : 'needs root to become nobody' }, () => {
  const sluice = stagedLauncher();
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', sluice, 'procmail', '-d', 'root'], {
    input: 'From: a@example.org\nSubject: x\n\nbody\n',
  });
  assert.equal(r.status, 77, r.stderr.toString());
  assert.match(r.stderr.toString(), /procmail: Insufficient privileges/);
});

test('-d as root drops to the recipient before delivering', { skip: isRoot ? false : 'needs root' }, () => {
  const sluice = stagedLauncher();
  // a mailbox only root could write: as root the delivery would succeed, as nobody it cannot
  const box = '/var/mail/nobody';
  const had = existsSync(box) ? readFileSync(box) : null;
  writeFileSync(box, '', { mode: 0o600 });
  spawnSync('chown', ['root:root', box]);
  chmodSync(box, 0o600);
  try {
    const r = spawnSync(sluice, ['procmail', '-d', 'nobody'], { input: 'From: a@example.org\nSubject: x\n\nbody\n' });
    assert.equal(r.status, 73, r.stderr.toString());
    assert.equal(readFileSync(box).length, 0, 'nothing written as root');
  } finally {
    if (had === null) rmSync(box, { force: true });
    else writeFileSync(box, had);
  }
});

test('SIGTERM during a delivery exits 75 so the MTA requeues', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-term-'));
  const rc = join(dir, 'rc');
  writeFileSync(rc, ':0 w\n| sleep 30\n');
  const child = spawn(join(repo, 'bin/sluice'), ['procmail', rc], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.end('From: a@example.org\n\nbody\n');
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 75);
});
