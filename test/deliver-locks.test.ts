// Dotlocks (procmail's lockit: temporary file + link), stale-lock forcing, failures, the
// DEFAULT/ORGMAIL lock taken by deliver(), and fcntl kernel locks on mailboxes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { LockRequest } from '../src/engine/effects.ts';
import { RealHost } from '../src/deliver/host.ts';
import { isRoot, LUNCH, mode, request, scratch, split } from './deliver-fixtures.ts';

function lockReq(path: string, over: Partial<LockRequest> = {}): { req: LockRequest; lines: string[] } {
  const lines: string[] = [];
  return {
    req: { path, sleepSeconds: 8, timeoutSeconds: 1024, suspendSeconds: 16, verbose: false, log: (t) => lines.push(t), ...over },
    lines,
  };
}

/** A host whose pauses are recorded instead of slept; `onSleep` may change the world meanwhile. */
function hostWithSleeps(onSleep: (seconds: number, count: number) => void = () => {}) {
  const sleeps: number[] = [];
  const host = new RealHost({
    sleep: async (s) => {
      sleeps.push(s);
      onSleep(s, sleeps.length);
    },
  });
  return { host, sleeps };
}

test('lock: a read-only lockfile containing "0", no temporary file left; unlock removes it', async () => {
  const s = scratch();
  try {
    const host = new RealHost();
    const { req, lines } = lockReq('inbox.lock', { verbose: true });
    assert.equal(await host.lock(req), true);
    assert.equal(fs.readFileSync('inbox.lock', 'latin1'), '0');
    assert.equal(mode('inbox.lock'), 0o400); // 0444 & ~077
    assert.deepEqual(fs.readdirSync('.'), ['inbox.lock']);
    host.unlock('inbox.lock', req.log, true);
    assert.ok(!fs.existsSync('inbox.lock'));
    assert.deepEqual(lines, ['procmail: Locking "inbox.lock"\n', 'procmail: Unlocking "inbox.lock"\n']);
  } finally {
    s.done();
  }
});

test('lock: waits (LOCKSLEEP) while someone else holds it, logging "Locking" on every try', async () => {
  const s = scratch();
  try {
    fs.writeFileSync('box.lock', '0');
    // the other holder lets go during our second pause
    const { host, sleeps } = hostWithSleeps((_, n) => n === 2 && fs.unlinkSync('box.lock'));
    const { req, lines } = lockReq('box.lock', { verbose: true, sleepSeconds: 3 });
    assert.equal(await host.lock(req), true);
    assert.deepEqual(sleeps, [3, 3]);
    assert.deepEqual(lines, Array(3).fill('procmail: Locking "box.lock"\n'));
  } finally {
    s.done();
  }
});

test('lock: a stale lock (older than LOCKTIMEOUT) is forced, then SUSPEND (case 192)', async () => {
  const s = scratch();
  try {
    fs.writeFileSync('inbox.lock', 'stale\n');
    const old = new Date('2001-01-01T00:00:00Z');
    fs.utimesSync('inbox.lock', old, old);
    const { host, sleeps } = hostWithSleeps();
    const { req, lines } = lockReq('inbox.lock', { timeoutSeconds: 60, suspendSeconds: 1 });
    assert.equal(await host.lock(req), true);
    assert.deepEqual(lines, ['procmail: Forcing lock on "inbox.lock"\n']);
    assert.deepEqual(sleeps, [1]);
    assert.equal(fs.readFileSync('inbox.lock', 'latin1'), '0');
  } finally {
    s.done();
  }
});

test('lock: not forced when LOCKTIMEOUT is 0, when it is young, or when it is too big to be a lockfile', async () => {
  const s = scratch();
  try {
    const old = new Date('2001-01-01T00:00:00Z');
    for (const [name, content, timeout] of [['a.lock', 'x', 0], ['b.lock', 'x'.repeat(17), 60]] as const) {
      fs.writeFileSync(name, content);
      fs.utimesSync(name, old, old);
      let tries = 0;
      const { host } = hostWithSleeps(() => {
        if (++tries === 2) fs.unlinkSync(name);
      });
      const { req, lines } = lockReq(name, { timeoutSeconds: timeout });
      assert.equal(await host.lock(req), true);
      assert.deepEqual(lines, [], name);
      assert.equal(tries, 2, name);
    }
    fs.writeFileSync('c.lock', 'x'); // fresh
    let tries = 0;
    const { host } = hostWithSleeps(() => {
      if (++tries === 1) fs.unlinkSync('c.lock');
    });
    assert.equal(await host.lock(lockReq('c.lock', { timeoutSeconds: 60 }).req), true);
    assert.equal(tries, 1);
  } finally {
    s.done();
  }
});

test('lock: missing directory: retried (procmail\'s nfsTRY = 8 tries), then "Lock failure"', async () => {
  const s = scratch();
  try {
    const { host, sleeps } = hostWithSleeps();
    const { req, lines } = lockReq('nodir/x.lock', { sleepSeconds: 2 });
    assert.equal(await host.lock(req), false);
    assert.deepEqual(sleeps, Array(7).fill(2));
    assert.deepEqual(lines, ['procmail: Lock failure on "nodir/x.lock"\n']);
  } finally {
    s.done();
  }
});

test('lock: directory not writable: "Lock failure" at once (case 193)', { skip: isRoot && 'root can write anywhere' }, async () => {
  const s = scratch();
  try {
    fs.mkdirSync('lockdir');
    fs.chmodSync('lockdir', 0o555);
    const { host, sleeps } = hostWithSleeps();
    const { req, lines } = lockReq('lockdir/box.lock');
    assert.equal(await host.lock(req), false);
    assert.deepEqual(sleeps, []);
    assert.deepEqual(lines, ['procmail: Lock failure on "lockdir/box.lock"\n']);
  } finally {
    s.done();
  }
});

test('lock in the system spool without permission: bypassed quietly, as procmail does without setgid', async () => {
  const s = scratch();
  try {
    fs.mkdirSync('spool');
    fs.chmodSync('spool', 0o555);
    const host = new RealHost({ spoolDir: `${s.dir}/spool/`, sleep: async () => {} });
    const { req, lines } = lockReq(`${s.dir}/spool/user.lock`, { verbose: true });
    if (isRoot) {
      // root may write anyway: then it is an ordinary lock
      assert.equal(await host.lock(req), true);
      return;
    }
    assert.equal(await host.lock(req), false);
    assert.deepEqual(lines, [`procmail: Bypassed locking "${s.dir}/spool/user.lock"\n`]);
  } finally {
    s.done();
  }
});

test('unlock of a vanished lock: "Couldn\'t unlock"', () => {
  const s = scratch();
  try {
    const lines: string[] = [];
    new RealHost().unlock('gone.lock', (t) => lines.push(t), false);
    assert.deepEqual(lines, ['procmail: Couldn\'t unlock "gone.lock"\n']);
  } finally {
    s.done();
  }
});

test('DEFAULT delivery: dotlock <folder>$LOCKEXT around the write, order as in procmail\'s VERBOSE log', async () => {
  const s = scratch();
  try {
    const { host } = hostWithSleeps();
    const seen: boolean[] = [];
    const { req, lines } = request(['mbox'], split(LUNCH), {
      verbose: true,
      dotlock: { ext: '.lock', sleepSeconds: 8, timeoutSeconds: 1024, suspendSeconds: 16, verbose: true, log: (t) => lines.push(t) },
    });
    req.setLastFolder = (n) => {
      seen.push(fs.existsSync('mbox.lock'));
      lines.push(`Assigning "LASTFOLDER=${n}"\n`);
    };
    const r = await host.deliver(req);
    assert.equal(r.ok, true);
    assert.deepEqual(seen, [true], 'the lock is held while writing');
    assert.ok(!fs.existsSync('mbox.lock'));
    assert.deepEqual(lines, [
      'procmail: Locking "mbox.lock"\n',
      'Assigning "LASTFOLDER=mbox"\n',
      'procmail: Opening "mbox"\n',
      'procmail: Acquiring kernel-lock\n',
      'procmail: Unlocking "mbox.lock"\n',
    ]);
  } finally {
    s.done();
  }
});

test('DEFAULT delivery: no dotlock for Maildir, /dev/null, or when it is the global LOCKFILE', async () => {
  const s = scratch();
  try {
    const host = new RealHost();
    const dl = { sleepSeconds: 8, timeoutSeconds: 1024, suspendSeconds: 16, verbose: true, log: () => {} };
    for (const folder of ['md/', '/dev/null']) {
      const { req, lines } = request([folder], split(LUNCH), { dotlock: { ext: '.lock', ...dl, log: (t) => lines.push(t) } });
      await host.deliver(req);
      assert.ok(!lines.some((l) => l.includes('Locking')), folder);
    }
    fs.writeFileSync('mbox.lock', '0'); // "held" as LOCKFILE by the engine
    const { req, lines } = request(['mbox'], split(LUNCH), { dotlock: { ext: '.lock', globalLock: 'mbox.lock', ...dl, log: (t) => lines.push(t) } });
    assert.equal((await host.deliver(req)).ok, true);
    assert.ok(fs.existsSync('mbox.lock'), 'the global lock is not ours to remove');
  } finally {
    s.done();
  }
});

// ---------------------------------------------------------------- kernel locks (fs-ext)

const hasFsExt = (() => {
  try {
    createRequire(import.meta.url)('fs-ext');
    return true;
  } catch {
    return false;
  }
})();

/**
 * Starts a process that holds an fcntl write lock on `file` until its stdin closes, then
 * appends "holder\n" and exits. Resolves once the lock is held.
 */
async function holdKernelLock(file: string) {
  const script = `
    const fs = require('fs'); const fsx = require('fs-ext');
    const fd = fs.openSync(${JSON.stringify(file)}, 'a');
    fsx.fcntl(fd, 'setlkw', fsx.constants.F_WRLCK, (e) => {
      if (e) process.exit(1);
      process.stdout.write('locked\\n');
      process.stdin.resume();
      process.stdin.on('end', () => { fs.writeSync(fd, 'holder\\n'); process.exit(0); });
    });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_PATH: `${import.meta.dirname}/../node_modules` } });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { release: async () => { child.stdin!.end(); await exited; } };
}

test('kernel lock: the append waits for another process\'s fcntl lock', { skip: !hasFsExt && 'fs-ext not installed' }, async () => {
  const s = scratch();
  try {
    fs.writeFileSync('mbox', '');
    const holder = await holdKernelLock(`${s.dir}/mbox`);
    const host = new RealHost();
    const { req, lines } = request(['mbox'], split(LUNCH));
    const delivery = host.deliver(req);
    // the holder writes its line before releasing; we must come after it
    await holder.release();
    const r = await delivery;
    assert.equal(r.ok, true);
    const text = fs.readFileSync('mbox', 'latin1');
    assert.ok(text.startsWith('holder\nFrom alice@'), JSON.stringify(text.slice(0, 30)));
    assert.deepEqual(lines, ['Assigning "LASTFOLDER=mbox"\n']);
  } finally {
    s.done();
  }
});

test('kernel lock never released: after the time limit "Kernel-lock failed", and the mail is written anyway', { skip: !hasFsExt && 'fs-ext not installed' }, async () => {
  const s = scratch();
  try {
    fs.writeFileSync('mbox', '');
    const holder = await holdKernelLock(`${s.dir}/mbox`);
    try {
      const host = new RealHost({ kernelLockTimeoutSeconds: 0.2 });
      const { req, lines } = request(['mbox'], split(LUNCH), { verbose: true });
      const r = await host.deliver(req);
      assert.equal(r.ok, true);
      assert.deepEqual(lines.slice(-2), ['procmail: Timeout, was waiting for "mbox"\n', 'procmail: Kernel-lock failed\n']);
      assert.equal(fs.statSync('mbox').size, 496);
    } finally {
      await holder.release();
    }
  } finally {
    s.done();
  }
});

test('appends to one file are serialised inside the process (fcntl locks cannot do that)', async () => {
  const { withFileMutex } = await import('../src/deliver/filemutex.ts');
  const events: string[] = [];
  let releaseFirst!: () => void;
  const firstBlocked = new Promise<void>((r) => (releaseFirst = r));
  const a = withFileMutex('f', async () => {
    events.push('a-start');
    await firstBlocked;
    events.push('a-end');
  });
  const b = withFileMutex('f', async () => {
    events.push('b');
  });
  const other = withFileMutex('g', async () => {
    events.push('other');
  });
  await other;
  assert.deepEqual(events, ['a-start', 'other'], 'another file is not held up; the same file waits');
  releaseFirst();
  await Promise.all([a, b]);
  assert.deepEqual(events, ['a-start', 'other', 'a-end', 'b']);
});
