// Engine behaviour on a recording host: decisions only, no file system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRc } from './helpers/engine-run.ts';

const MSG = 'From a@example.org  Mon Jan  1 10:00:00 2001\nFrom: Alice <alice@example.org>\nTo: bob@example.net\nSubject: Lunch on Friday\nList-Id: Perl <perl-users.lists.example.org>\n\nHi Bob\n';

test('first matching delivering recipe wins; DEFAULT is not used', async () => {
  const { exitCode, host } = await runRc(':0:\n* ^Subject:.*lunch\nlunch\n:0\nother\n', MSG);
  assert.equal(exitCode, 0);
  assert.deepEqual(host.rec.deliveries.map((d) => d.folders), [['lunch']]);
  assert.deepEqual(host.rec.locks, ['lunch.lock']);
});

test('no match falls through to DEFAULT', async () => {
  const { host } = await runRc(':0\n* ^Subject:.*dinner\ndinner\n', MSG);
  assert.deepEqual(host.rec.deliveries.map((d) => d.folders), [['/var/mail/test']]);
});

test('MATCH extraction names the folder', async () => {
  const { host } = await runRc(':0\n* ^List-Id:.*<\\/[^.>]+\nlists.$MATCH/\n', MSG);
  assert.deepEqual(host.rec.deliveries.map((d) => d.folders), [['lists.perl-users/']]);
});

test('c copies continue; a failed folder falls back to DEFAULT then ORGMAIL', async () => {
  const { host, exitCode } = await runRc('DEFAULT=/unwritable/box\n:0 c\ncopy/\n', MSG);
  assert.equal(exitCode, 0);
  assert.deepEqual(host.rec.deliveries.map((d) => d.folders[0]), ['copy/', '/unwritable/box', '/var/mail/test']);
});

test('everything failing exits 73 (EX_CANTCREAT)', async () => {
  const { exitCode } = await runRc('DEFAULT=/unwritable/a\nORGMAIL=/unwritable/b\n', MSG);
  assert.equal(exitCode, 73);
});

test('E and A chains, nested blocks and scoring', async () => {
  const rc = [
    ':0', '* ^Subject:.*nothing', 'a', ':0 E', '{', '  :0', '  * 10^1 ^[A-Z][a-z]+:', '  * -25^0 ^To:', '  { LOG="score=$=', '" }', '  :0 A', '  scored', '}',
  ].join('\n') + '\n';
  const { host } = await runRc(rc, MSG);
  assert.match(host.rec.log, /score=5\n/); // 3 fields match (From, To, Subject; not List-Id) x10 - 25
  assert.deepEqual(host.rec.deliveries.map((d) => d.folders), [['scored']]);
});

test('pipes run the program: shell when metacharacters, direct otherwise', async () => {
  const { host } = await runRc(':0 c\n| formail -A "X-Seen: yes"\n:0\n| cat > file\n', MSG);
  assert.deepEqual(host.rec.programs[0]!.argv, ['formail', '-A', 'X-Seen: yes']);
  assert.deepEqual(host.rec.programs[1]!.argv, ['/bin/sh', '-c', ' cat > file']);
});
