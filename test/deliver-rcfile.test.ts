// rcfile reading with procmail's security checks (cases 130-137), the log destination, and
// the names procmail invents for files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { RealHost } from '../src/deliver/host.ts';
import { readRcFile, type Identity } from '../src/deliver/rcfile.ts';
import { safeHost, ultoan, UniqueNames } from '../src/deliver/names.ts';
import { isRoot, mode, scratch } from './deliver-fixtures.ts';

const ME: Identity = { uid: process.getuid!(), gid: process.getgid!() };

function rcIn(dir: string, dirMode: number, fileMode: number): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, dirMode);
  const p = `${fs.realpathSync(dir)}/rc`;
  fs.writeFileSync(p, ':0\ninbox\n');
  fs.chmodSync(p, fileMode);
  return p;
}

test('readRc: missing file; text of a good one; no checks for "none"', () => {
  const s = scratch();
  try {
    assert.deepEqual(readRcFile(`${s.dir}/nope`, 'explicit', ME), { ok: false, reason: 'missing' });
    const p = rcIn('home', 0o755, 0o644);
    const r = readRcFile(p, 'default', ME);
    assert.ok(r.ok && r.text.toString() === ':0\ninbox\n');
    const w = rcIn('w', 0o755, 0o666);
    assert.equal(readRcFile(w, 'none', ME).ok, true);
  } finally {
    s.done();
  }
});

test('readRc: world-writable rcfile is suspicious (case 130)', () => {
  const s = scratch();
  try {
    const p = rcIn('home', 0o755, 0o646);
    assert.deepEqual(readRcFile(p, 'explicit', ME), { ok: false, reason: 'suspicious' });
    assert.deepEqual(readRcFile(p, 'default', ME), { ok: false, reason: 'suspicious' });
  } finally {
    s.done();
  }
});

test('readRc: world-writable directory is suspicious unless sticky (case 135)', () => {
  const s = scratch();
  try {
    assert.equal(readRcFile(rcIn('open', 0o777, 0o644), 'explicit', ME).ok, false);
    assert.equal(readRcFile(rcIn('sticky', 0o1777, 0o644), 'explicit', ME).ok, true);
    // write without search for others is not "world writable" in procmail's test
    assert.equal(readRcFile(rcIn('wonly', 0o772, 0o644), 'explicit', ME).ok, true);
  } finally {
    s.done();
  }
});

test('readRc: group write is fine for an explicit rc (case 131) and for the default one in the user\'s own group (case 132)', () => {
  const s = scratch();
  try {
    const p = rcIn('home', 0o775, 0o664);
    fs.chownSync(p, ME.uid, ME.gid);
    fs.chownSync('home', ME.uid, ME.gid);
    assert.equal(readRcFile(p, 'explicit', ME).ok, true);
    assert.equal(readRcFile(p, 'default', ME).ok, true);
    // the same modes with a group that is not the user's: the default rc is refused
    const other: Identity = { uid: ME.uid, gid: ME.gid + 1 };
    assert.equal(readRcFile(p, 'explicit', other).ok, true);
    assert.deepEqual(readRcFile(p, 'default', other), { ok: false, reason: 'suspicious' });
    fs.chmodSync(p, 0o644);
    assert.deepEqual(readRcFile(p, 'default', other), { ok: false, reason: 'suspicious' }, 'group-writable directory');
    fs.chmodSync('home', 0o755);
    assert.equal(readRcFile(p, 'default', other).ok, true);
  } finally {
    s.done();
  }
});

test('readRc: owner must be the user or root (cases 136, 137)', { skip: !isRoot && 'chown needs root' }, () => {
  const s = scratch();
  try {
    const p = rcIn('home', 0o755, 0o644);
    const user: Identity = { uid: 4321, gid: 4321 };
    fs.chownSync(p, 0, 0);
    assert.equal(readRcFile(p, 'explicit', user).ok, true, 'root-owned, not writable by others');
    fs.chownSync(p, 1234, 1234);
    assert.deepEqual(readRcFile(p, 'explicit', user), { ok: false, reason: 'suspicious' });
    fs.chownSync(p, 4321, 4321);
    assert.equal(readRcFile(p, 'default', user).ok, true);
  } finally {
    s.done();
  }
});

test('readRc: a name without a directory part is suspicious (procmail stats "")', () => {
  const s = scratch();
  try {
    fs.writeFileSync('rc', '');
    assert.deepEqual(readRcFile('rc', 'explicit', ME), { ok: false, reason: 'suspicious' });
    assert.equal(readRcFile('rc', 'none', ME).ok, true);
  } finally {
    s.done();
  }
});

test('readRc through the host: /dev/null is an acceptable (empty) rcfile', () => {
  const r = new RealHost().readRc('/dev/null', 'explicit', '/');
  assert.ok(r.ok && r.text.length === 0);
});

// ---------------------------------------------------------------- log destination

test('LOGFILE: created 600, appended; a failing one keeps the previous (experiment 030); /dev/null for ""', () => {
  const s = scratch();
  try {
    const host = new RealHost();
    assert.equal(host.setLogfile(`${s.dir}/log1`), true);
    assert.equal(mode('log1'), 0o600);
    host.log('one\n');
    assert.equal(host.setLogfile('/nonexistent/log2'), false);
    host.log('two\n');
    assert.equal(host.setLogfile(''), true);
    host.log('three\n');
    assert.equal(host.setLogfile(`${s.dir}/log3`), true);
    host.log('five\n');
    host.setLogfile(undefined);
    assert.equal(fs.readFileSync('log1', 'latin1'), 'one\ntwo\n');
    assert.equal(fs.readFileSync('log3', 'latin1'), 'five\n');
  } finally {
    s.done();
  }
});

test('log text is written as the latin1 bytes it stands for', () => {
  const s = scratch();
  try {
    const host = new RealHost();
    host.setLogfile(`${s.dir}/log`);
    host.log('caf\xe9 \xff\n');
    host.setLogfile(undefined);
    assert.deepEqual(fs.readFileSync('log'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0x0a]));
  } finally {
    s.done();
  }
});

test('chdir/cwd round-trip, also for non-ASCII (UTF-8) directory names', () => {
  const s = scratch();
  try {
    const host = new RealHost();
    fs.mkdirSync('Entwürfe');
    const latin1 = Buffer.from('Entwürfe', 'utf8').toString('latin1');
    assert.equal(host.chdir(latin1), true);
    assert.equal(host.cwd(), `${Buffer.from(fs.realpathSync(s.dir), 'utf8').toString('latin1')}/${latin1}`);
    assert.equal(host.chdir('/nonexistent/dir'), false);
  } finally {
    s.done();
  }
});

// ---------------------------------------------------------------- names

test('ultoan: procmail\'s little-endian base 64 (A-Z a-z 0-9 - _)', () => {
  assert.equal(ultoan(0), 'A');
  assert.equal(ultoan(25), 'Z');
  assert.equal(ultoan(26), 'a');
  assert.equal(ultoan(52), '0');
  assert.equal(ultoan(62), '-');
  assert.equal(ultoan(63), '_');
  assert.equal(ultoan(64), 'AB');
  assert.equal(ultoan(2n ** 64n - 1n), '__________P');
});

test('safeHost maps / : \\ to octal escapes', () => {
  assert.equal(safeHost('a/b:c\\d'), 'a\\057b\\072c\\134d');
});

test('unique names: many per second without sleeping, all distinct, in procmail\'s shapes', () => {
  const names = new UniqueNames(() => 4242, () => 'host', () => 1_000_000_000_000);
  const md = Array.from({ length: 20 }, () => names.maildir());
  assert.equal(new Set(md).size, 20);
  assert.equal(md[0], '1000000000.4242_0.host');
  const tmp = Array.from({ length: 20 }, () => names.temporary());
  assert.equal(new Set(tmp).size, 20);
  for (const t of tmp) assert.match(t, /^_[A-Za-z0-9_-]+[.,+%][A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?\.host$/);
});

test('non-ASCII folder names are created with the bytes they stand for', async () => {
  const s = scratch();
  try {
    const name = Buffer.from('Gelöscht', 'utf8').toString('latin1');
    const lines: string[] = [];
    const r = await new RealHost().deliver({
      folders: [name], mail: { head: Buffer.from('Subject: x\n\n'), body: Buffer.from('b\n') }, raw: false, contentLength: false,
      umask: 0o077, msgPrefix: 'msg.', verbose: false, log: (t) => lines.push(t), setLastFolder: () => {},
    });
    assert.equal(r.ok, true);
    assert.ok(fs.existsSync('Gelöscht'));
  } finally {
    s.done();
  }
});
