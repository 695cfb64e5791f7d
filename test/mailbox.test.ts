// A whole mailbox through the engine in one process (`sluice formail -s procmail -m rc`)
// must make the same deliveries as the real `formail -s procmail -m rc`: same folders, same
// bytes in each (Maildir names differ by design), same mbox file, same exit status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const shared = process.env.SLUICE_SHARED ?? resolve(repo, '../shared');
const gen = join(shared, 'peers/gen-messages.py');
const peersThere = existsSync('/usr/bin/formail') && existsSync('/usr/bin/procmail') && existsSync(gen);
if (!peersThere && process.env.CI) throw new Error('mailbox test needs procmail, formail and ../shared in CI');

function rcFor(out: string): string {
  return [
    `MAILDIR=${out}`, 'DEFAULT=$MAILDIR/inbox/', `LOGFILE=${out}/log`, 'LOGABSTRACT=no',
    ':0', '* ^Subject:.*(meeting|Lunch)', 'meetings/',
    ':0:', '* ^From:.*@example\\.org', 'from-org',
    ':0', '* ^Content-Type: multipart/mixed', 'attachments/.',
    ':0 B', '* urgent', 'urgent/',
  ].join('\n') + '\n';
}

/** folder -> sorted content hashes of the messages in it (Maildir new/, MH numbers, mbox file). */
function inventory(out: string): Record<string, string[]> {
  const inv: Record<string, string[]> = {};
  const hash = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
  for (const name of readdirSync(out).sort()) {
    const p = join(out, name);
    if (name === 'log' || name.endsWith('.lock')) continue;
    if (statSync(p).isFile()) inv[name] = [hash(p)];
    else if (existsSync(join(p, 'new'))) inv[name] = readdirSync(join(p, 'new')).map((f) => hash(join(p, 'new', f))).sort();
    else inv[name] = readdirSync(p).map((f) => hash(join(p, f))).sort();
  }
  return inv;
}

test('formail -s procmail: sluice in one process delivers what the real tools deliver', { skip: peersThere ? false : 'needs procmail, formail and ../shared' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-mailbox-'));
  const mbox = join(dir, 'in.mbox');
  const g = spawnSync('python3', [gen, '-n', '120', '-s', '5k', '--mbox', mbox]);
  assert.equal(g.status, 0, g.stderr?.toString());
  const outs = { real: join(dir, 'real'), sluice: join(dir, 'sluice') };
  for (const [who, out] of Object.entries(outs)) {
    mkdirSync(out);
    writeFileSync(join(dir, `${who}.rc`), rcFor(out));
  }
  const input = readFileSync(mbox);
  const real = spawnSync('/usr/bin/formail', ['-s', 'procmail', '-m', join(dir, 'real.rc')], { input });
  const ours = spawnSync(join(repo, 'bin/sluice'), ['formail', '-s', 'procmail', '-m', join(dir, 'sluice.rc')], { input, env: { ...process.env, PATH: '/nonexistent' } });
  assert.equal(ours.status, real.status, ours.stderr.toString());
  const a = inventory(outs.real);
  const b = inventory(outs.sluice);
  assert.ok(Object.keys(a).length >= 4 && (a.inbox?.length ?? 0) > 10, JSON.stringify(Object.keys(a)));
  assert.deepEqual(b, a);
});

test('procmail --input: mbox, Maildir, MH and .eml inputs delivered in one process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-input-'));
  const msg = (n: number) => `From: a${n}@example.org\nSubject: m${n}\n\nbody ${n}\nFrom here on\n`;
  for (const sub of ['md/new', 'md/cur', 'md/tmp', 'mh']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'md/new/1.a'), msg(1));
  writeFileSync(join(dir, 'md/cur/2.b:2,S'), msg(2));
  writeFileSync(join(dir, 'mh/1'), msg(3));
  writeFileSync(join(dir, 'mh/2'), msg(4));
  writeFileSync(join(dir, 'one.eml'), msg(5));
  writeFileSync(join(dir, 'box.mbox'), `From x  Mon Jan  1 10:00:00 2001\n${msg(6)}\nFrom y  Mon Jan  1 10:00:00 2001\n${msg(7)}\n`);
  const out = join(dir, 'out');
  mkdirSync(out);
  writeFileSync(join(dir, 'rc'), `MAILDIR=${out}\nDEFAULT=$MAILDIR/inbox/\n`);
  const r = spawnSync(join(repo, 'bin/sluice'), ['procmail', '--input', join(dir, 'md'), '--input', join(dir, 'mh'), '--input', join(dir, 'one.eml'), '--input', join(dir, 'box.mbox'), '-m', join(dir, 'rc')]);
  assert.equal(r.status, 0, r.stderr.toString());
  const got = readdirSync(join(out, 'inbox/new')).map((f) => readFileSync(join(out, 'inbox/new', f), 'latin1')).sort();
  assert.equal(got.length, 7);
  for (let n = 1; n <= 7; n++) assert.ok(got.some((m) => m.includes(`Subject: m${n}\n`)), `message ${n} delivered`);
  // Maildir copies carry no From_ line; messages from files and folders get no >From quoting
  assert.ok(got.every((m) => !m.startsWith('From ')));
  assert.equal(got.filter((m) => m.includes('\n>From here')).length, 2, 'only the mbox split (as formail -s) escapes the bogus From lines');
});
