// The rcfile and passwd caches of a process that delivers many messages: what they answer
// must be what a fresh read would answer, whatever happened to the file in between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { readRcFile, readRcFileCached, type Identity } from '../src/deliver/rcfile.ts';
import { lookupUser } from '../src/deliver/passwd.ts';
import { scratch } from './deliver-fixtures.ts';

const ME: Identity = { uid: process.getuid!(), gid: process.getgid!() };

function text(r: ReturnType<typeof readRcFile>): string | undefined {
  return r.ok ? r.text.toString('latin1') : undefined;
}

test('cached rcfile: same answers as a fresh read as the file changes', () => {
  const s = scratch();
  try {
    fs.mkdirSync('home', { mode: 0o755 });
    const p = `${fs.realpathSync('home')}/rc`;
    fs.writeFileSync(p, ':0\ninbox\n', { mode: 0o644 });
    assert.equal(text(readRcFileCached(p, 'explicit', ME)), ':0\ninbox\n');
    assert.equal(text(readRcFileCached(p, 'explicit', ME)), ':0\ninbox\n');

    // the caller may change what it got without changing the next answer
    const r = readRcFileCached(p, 'explicit', ME);
    if (r.ok) r.text.fill(0x58);
    assert.equal(text(readRcFileCached(p, 'explicit', ME)), ':0\ninbox\n');

    fs.writeFileSync(p, ':0\nother\n');
    assert.equal(text(readRcFileCached(p, 'explicit', ME)), ':0\nother\n');

    // replaced by another file of the same size
    fs.writeFileSync(`${p}.new`, ':0\nthird\n', { mode: 0o644 });
    fs.renameSync(`${p}.new`, p);
    assert.equal(text(readRcFileCached(p, 'explicit', ME)), ':0\nthird\n');

    // the security checks are made on every read
    fs.chmodSync(p, 0o646);
    assert.deepEqual(readRcFileCached(p, 'explicit', ME), readRcFile(p, 'explicit', ME));
    assert.deepEqual(readRcFileCached(p, 'explicit', ME), { ok: false, reason: 'suspicious' });
    fs.chmodSync(p, 0o644);
    fs.chmodSync('home', 0o777);
    assert.deepEqual(readRcFileCached(p, 'explicit', ME), { ok: false, reason: 'suspicious' });
    fs.chmodSync('home', 0o755);
    assert.equal(text(readRcFileCached(p, 'explicit', ME)), ':0\nthird\n');

    fs.unlinkSync(p);
    assert.deepEqual(readRcFileCached(p, 'explicit', ME), { ok: false, reason: 'missing' });
  } finally {
    s.done();
  }
});

test('passwd lookups: repeated answers are equal and independent objects', () => {
  const a = lookupUser();
  const b = lookupUser();
  assert.ok(a && b);
  assert.deepEqual(a, b);
  a.home = '/changed';
  assert.notEqual(lookupUser()!.home, '/changed');
  const byName = lookupUser(b.name);
  assert.equal(byName?.uid, b.uid);
  assert.equal(lookupUser('no-such-user-sluice-test'), null);
});
