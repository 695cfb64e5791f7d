// Recipient -> account: passwd-file (virtual) and /etc/passwd (system) users, and the LMTP
// reply table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { parsePasswdFile, PasswdFileError, parseSystemUsers, UserDirectory } from '../src/lmtp/users.ts';
import { replyFor } from '../src/lmtp/replies.ts';
import { crlfToLf, newQueueId } from '../src/lmtp/listener.ts';
import { bindSocket, parseListen } from '../src/lmtp/address.ts';
import * as net from 'node:net';
import { eventually, portOf, tempDir } from './lmtp-helpers.ts';

test('passwd-file: Dovecot format, comments and blank lines skipped', () => {
  const users = parsePasswdFile('# users\n\nalice:{PLAIN}pw:1001:1002::/home/v/alice::\nBob@Example.org:x:8:8::/srv/bob::userdb_x=y\n', 'users');
  assert.deepEqual(users.get('alice'), { name: 'alice', uid: 1001, gid: 1002, groups: [], home: '/home/v/alice', virtual: true });
  assert.equal(users.get('bob@example.org')?.home, '/srv/bob');
});

test('passwd-file errors name the file and line', () => {
  assert.throws(() => parsePasswdFile('ok:x:1:1::/h::\nbad:x:one:1::/h::\n', '/etc/u'), (e: unknown) => e instanceof PasswdFileError && e.message === '/etc/u:2: user "bad": uid "one" is not a number');
  assert.throws(() => parsePasswdFile('c:x:1:1::relative::\n', 'f'), /f:1: user "c": home "relative" is not an absolute path/);
  assert.throws(() => parsePasswdFile(':x:1:1::/h::\n', 'f'), /f:1: empty user name/);
});

test('system users get their supplementary groups; the first passwd entry wins', () => {
  const users = parseSystemUsers('joe:x:1000:1000::/home/joe:/bin/sh\njoe:x:2000:2000::/x:/bin/sh\n', 'mail:x:8:joe,ann\ncdrom:x:24:joe\njoe:x:1000:\n');
  assert.deepEqual(users.get('joe'), { name: 'joe', uid: 1000, gid: 1000, groups: [1000, 8, 24], home: '/home/joe', virtual: false });
});

test('lookup: domain ignored, case folded, +extension becomes $1, virtual before system', () => {
  const dir = tempDir('sluice-users-');
  try {
    fs.writeFileSync(join(dir, 'users'), 'alice:x:1001:1001::/v/alice::\njoe:x:1002:1002::/v/joe::\nsales@shop.test:x:1003:1003::/v/sales::\n');
    fs.writeFileSync(join(dir, 'passwd'), 'joe:x:1000:1000::/home/joe:/bin/sh\nroot:x:0:0::/root:/bin/sh\nann:x:1005:1005::/home/ann:/bin/sh\n');
    fs.writeFileSync(join(dir, 'group'), '');
    const d = new UserDirectory({ passwdFile: join(dir, 'users'), systemUsers: true, recipientDelimiter: '+', passwdPath: join(dir, 'passwd'), groupPath: join(dir, 'group') });
    assert.equal(d.lookup('alice@anything.test')?.user.home, '/v/alice');
    assert.equal(d.lookup('ALICE@x')?.user.name, 'alice');
    assert.deepEqual(d.lookup('alice+lists@x')?.extension, 'lists');
    assert.equal(d.lookup('joe@x')?.user.home, '/v/joe');
    assert.equal(d.lookup('ann@x')?.user.virtual, false);
    assert.equal(d.lookup('sales@shop.test')?.user.uid, 1003);
    assert.equal(d.lookup('sales@other.test'), null);
    assert.equal(d.lookup('nobody@x'), null);
    const noSys = new UserDirectory({ passwdFile: join(dir, 'users'), systemUsers: false, recipientDelimiter: '', passwdPath: join(dir, 'passwd') });
    assert.equal(noSys.lookup('ann@x'), null);
    assert.equal(noSys.lookup('alice+lists@x'), null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('reply table: only success is 250 and only an unknown user is 5xx', () => {
  assert.deepEqual(replyFor({ exitCode: 0 }, 'Q1', 'a@x'), { code: 250, text: '<a@x> Q1 Saved' });
  assert.equal(replyFor({ exitCode: 67 }, 'Q1', 'a@x').code, 550);
  for (const code of [64, 65, 69, 70, 71, 73, 74, 75, 1, 255]) assert.equal(replyFor({ exitCode: code }, 'Q', 'a@x').code, 451, `exit ${code}`);
  assert.equal(replyFor({ exitCode: 75, noSpace: true }, 'Q', 'a@x').code, 452);
  assert.match(replyFor({ error: 'worker killed by SIGKILL' }, 'Q', 'a@x').text, /worker killed by SIGKILL/);
});

test('CRLF -> LF only for CRLF pairs; lone CR and LF kept', () => {
  assert.deepEqual(crlfToLf(Buffer.from('a\r\nb\rc\nd\r\n\r\n')), Buffer.from('a\nb\rc\nd\n\n'));
  const plain = Buffer.from('no crlf\n');
  assert.equal(crlfToLf(plain), plain);
  assert.deepEqual(crlfToLf(Buffer.from('lead\r\r\nx\r')), Buffer.from('lead\r\nx\r'));
  assert.deepEqual(crlfToLf(Buffer.from('\r\n\xff\r\n', 'latin1')), Buffer.from('\n\xff\n', 'latin1'));
});

test('queue ids: 10 upper-case hex digits, no repeats across refills of the random pool', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const id = newQueueId();
    assert.match(id, /^[0-9A-F]{10}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 3000);
});

test('listen addresses', () => {
  assert.deepEqual(parseListen('127.0.0.1:24'), { kind: 'tcp', host: '127.0.0.1', port: 24 });
  assert.deepEqual(parseListen('[::1]:2424'), { kind: 'tcp', host: '::1', port: 2424 });
  assert.deepEqual(parseListen(':2424'), { kind: 'tcp', host: '0.0.0.0', port: 2424 });
  assert.deepEqual(parseListen('run/lmtp.sock', '/srv'), { kind: 'unix', path: '/srv/run/lmtp.sock' });
  assert.throws(() => parseListen('localhost'), /expected host:port/);
});

test('the supervisor\'s listening socket survives a failed accept (reported, still accepting)', async () => {
  const errors: string[] = [];
  let accepted = 0;
  const { server, address } = await bindSocket(
    parseListen('127.0.0.1:0'),
    (socket) => {
      accepted++;
      socket.destroy();
    },
    (err) => errors.push(err.message),
  );
  try {
    // what net.Server does when accept(2) fails (EMFILE under a flood of connections)
    server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
    assert.deepEqual(errors, ['accept EMFILE']);
    const port = portOf(address);
    await new Promise<void>((resolve, reject) => {
      const c = net.connect(port, '127.0.0.1', () => resolve());
      c.once('error', reject);
      c.once('connect', () => c.destroy());
    });
    await eventually(() => (accepted ? accepted : undefined), 1000);
    assert.equal(accepted, 1);
  } finally {
    server.close();
  }
});
