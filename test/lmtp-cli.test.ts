// `sluice lmtpd` as a process, the way an administrator runs it: JSON log lines on stderr,
// the delivery line written by the unprivileged listener itself (not relayed through root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, lmtpOnce, maildirMessages, makeUser, needRoot, portOf, tempDir, testUid } from './lmtp-helpers.ts';

const SLUICE = fileURLToPath(new URL('../bin/sluice', import.meta.url));

test('sluice lmtpd: delivers, and the listener writes the delivery line to the shared stderr', async (t) => {
  const skip = needRoot();
  if (skip) return t.skip(skip);
  const dir = tempDir('sluice-lmtpd-cli-');
  const user = makeUser(dir, 'ivy', testUid(20));
  fs.writeFileSync(join(dir, 'users'), `${user.line}\n`, { mode: 0o600 });
  const child = spawn(SLUICE, ['lmtpd', '--listen', '127.0.0.1:0', '--passwd-file', join(dir, 'users'), '--no-system-users'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const lines = () => err.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const waitFor = async (pred: (l: Record<string, unknown>) => boolean) =>
    (await eventually(() => lines().find(pred), 6000, 20)) ?? assert.fail(`no such log line in:\n${err}`);
  try {
    const ready = await waitFor((l) => l.msg === 'lmtpd ready');
    const port = portOf((ready.listen as string[])[0]!);
    const r = await lmtpOnce({ port }, 'a@example.com', ['ivy@sluice.test'], 'Subject: cli\r\n\r\nbody\r\n');
    assert.deepEqual(r.accepted, ['ivy@sluice.test']);
    assert.equal(maildirMessages(`${user.home}/Maildir`).length, 1);
    const line = await waitFor((l) => l.msg === 'delivery');
    assert.equal(line.status, 'delivered');
    assert.equal(line.rcpt, 'ivy@sluice.test');
    assert.equal(line.name, 'lmtpd');
    assert.equal(ready.pid, child.pid);
    assert.equal(typeof line.pid, 'number');
    assert.notEqual(line.pid, child.pid, 'written by the listener process, not the supervisor');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
