// sluice lmtpd end to end on loopback: a real LMTP client (nodemailer SMTPConnection,
// lmtp: true) against startLmtpd(), with real workers running the engine as the users.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { startLmtpd, LMTPD_DEFAULTS, type LmtpdHandle, type LmtpdOptions } from '../src/lmtp/daemon.ts';
import { childV8Flags, CHILD_V8_FLAGS } from '../src/lmtp/spawn.ts';
import {
  captureLog, eventually, lmtpConnect, logLine, lmtpOnce, lmtpSend, maildirMessages, makeUser, needRoot, portOf, processUid, tempDir, testUid,
  type CapturedLog, type TestUser,
} from './lmtp-helpers.ts';

let dir: string;
let daemon: LmtpdHandle;
let options: LmtpdOptions;
let log: CapturedLog;
let port: number;
let sock: string;
const users: Record<string, TestUser> = {};

const MESSAGE = [
  'From: Sender <sender@example.com>',
  'To: alice@sluice.test',
  'Subject: plain hello',
  'Message-ID: <m1@example.com>',
  '',
  'line one',
  '.a line starting with a dot (dot-stuffed on the wire)',
  'From the start of a line',
  '',
].join('\r\n');

/** What the Maildir file must hold: Return-Path (the envelope sender), then the message with LF line ends, no From_ line. */
const delivered = (sender: string, msg: string) => Buffer.from(`Return-Path: <${sender}>\n` + msg.replace(/\r\n/g, '\n'), 'latin1');
const EXPECTED = delivered('sender@example.com', MESSAGE);

before(async () => {
  dir = tempDir('sluice-lmtp-');
  users.alice = makeUser(dir, 'alice', testUid(1), [
    'MAILDIR=$HOME/Maildir/',
    'DEFAULT=$MAILDIR',
    ':0',
    '* ^Subject:.*invoice',
    '.Invoices/',
    '',
  ].join('\n'));
  users.bob = makeUser(dir, 'bob', testUid(2)); // no rc: DEFAULT = ~/Maildir/
  users.carol = makeUser(dir, 'carol', testUid(3));
  // carol's mailbox cannot be written: her delivery must fail temporarily, not bounce
  fs.chmodSync(`${users.carol.home}/Maildir/tmp`, 0o500);
  fs.chmodSync(`${users.carol.home}/Maildir/new`, 0o500);
  // dave's rc kills the worker that runs it (a crashing worker must not hurt others)
  users.dave = makeUser(dir, 'dave', testUid(4), ':0 w\n| kill -9 $PPID; exit 0\n');
  // eve's rc runs longer than the delivery timeout configured below
  users.eve = makeUser(dir, 'eve', testUid(5), ':0 w\n| sleep 4\n');
  // frank's rc is slow but finishes (graceful shutdown waits for it)
  users.frank = makeUser(dir, 'frank', testUid(6), 'MAILDIR=$HOME/Maildir/\n:0 Wc\n| touch $HOME/started; sleep 1\n:0\n./\n');
  fs.writeFileSync(join(dir, 'users'), Object.values(users).map((u) => u.line).join('\n') + '\n', { mode: 0o600 });
  sock = join(dir, 'lmtp.sock');
  log = captureLog();
  options = {
    ...LMTPD_DEFAULTS,
    listen: ['127.0.0.1:0', sock],
    passwdFile: join(dir, 'users'),
    systemUsers: false,
    firstValidUid: 0,
    deliveryTimeoutSeconds: 2,
    logger: log.logger,
  };
  daemon = await startLmtpd(options);
  port = portOf(daemon.addresses[0]!);
});

after(async () => {
  await daemon?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('listens on TCP and on the unix socket, socket connectable by the MTA user', () => {
  assert.equal(daemon.addresses.length, 2);
  assert.match(daemon.addresses[0]!, /^127\.0\.0\.1:\d+$/);
  assert.ok(port > 0);
  assert.equal(daemon.addresses[1], sock);
  assert.equal(fs.statSync(sock).mode & 0o777, 0o666);
});

test('per recipient: 250 for the delivered, 550 5.1.1 at RCPT for the unknown, 451 for the unwritable', async () => {
  const r = await lmtpOnce({ port }, 'sender@example.com', ['alice@sluice.test', 'nobody@sluice.test', 'bob@sluice.test', 'carol@sluice.test'], MESSAGE);
  assert.deepEqual(r.accepted.sort(), ['alice@sluice.test', 'bob@sluice.test']);
  assert.match(r.rejected.get('nobody@sluice.test')!, /^550 5\.1\.1 /);
  assert.match(r.rejected.get('carol@sluice.test')!, /^451 4\.3\.0 <carol@sluice\.test> [0-9A-F]{10} Delivery failed \(EX_TEMPFAIL 75\)/);
  // byte-exact: CRLF -> LF, dot-stuffing undone, nothing added or quoted in a Maildir
  const a = maildirMessages(`${users.alice!.home}/Maildir`);
  const b = maildirMessages(`${users.bob!.home}/Maildir`);
  assert.equal(a.length, 1);
  assert.equal(b.length, 1);
  assert.deepEqual(a[0]!.data, EXPECTED);
  assert.deepEqual(b[0]!.data, EXPECTED);
  // written by the user's own uid
  assert.equal(a[0]!.uid, users.alice!.uid);
  assert.equal(b[0]!.uid, users.bob!.uid);
  assert.equal(maildirMessages(`${users.carol!.home}/Maildir`).length, 0);
});

test('the unix socket speaks LMTP too, and the rc files by header into a Maildir++ folder', async () => {
  const msg = MESSAGE.replace('plain hello', 'your invoice 42');
  const r = await lmtpOnce({ path: sock }, 'billing@example.com', ['alice@sluice.test'], msg);
  assert.deepEqual(r.accepted, ['alice@sluice.test']);
  const inv = maildirMessages(`${users.alice!.home}/Maildir/.Invoices`);
  assert.equal(inv.length, 1);
  assert.deepEqual(inv[0]!.data, delivered('billing@example.com', msg));
  // one JSON line per delivery with queue id, recipient, folder, bytes, ms
  const line = await logLine(log, (l) => l.msg === 'delivery' && l.from === 'billing@example.com');
  assert.ok(line, 'delivery log line');
  assert.match(String(line.qid), /^[0-9A-F]{10}$/);
  assert.equal(line.rcpt, 'alice@sluice.test');
  assert.equal(line.status, 'delivered');
  assert.equal(line.folder, `.Invoices/new/${inv[0]!.name}`);
  assert.equal(line.bytes, inv[0]!.data.length);
  assert.equal(typeof line.ms, 'number');
});

test('a worker that dies fails only its own recipient (4xx); the next delivery gets a new worker', async () => {
  const r = await lmtpOnce({ port }, 'x@example.com', ['dave@sluice.test', 'bob@sluice.test'], MESSAGE);
  assert.deepEqual(r.accepted, ['bob@sluice.test']);
  assert.match(r.rejected.get('dave@sluice.test')!, /^451 4\.3\.0 .*worker killed by SIGKILL/);
  const again = await lmtpOnce({ port }, 'x@example.com', ['bob@sluice.test'], MESSAGE);
  assert.deepEqual(again.accepted, ['bob@sluice.test']);
});

test('a delivery over the timeout is answered 451 and its worker killed', async () => {
  const r = await lmtpOnce({ port }, 'x@example.com', ['eve@sluice.test', 'alice@sluice.test'], MESSAGE);
  assert.deepEqual(r.accepted, ['alice@sluice.test']);
  assert.match(r.rejected.get('eve@sluice.test')!, /^451 4\.3\.0 .*timed out after 2 s/);
  assert.ok(await logLine(log, (l) => l.msg === 'worker timeout' && l.user === 'eve'));
});

test('the passwd-file is re-read when it changes: a new user is known at once', async () => {
  const before = await lmtpOnce({ port }, 'x@example.com', ['gina@sluice.test'], MESSAGE);
  assert.match(before.rejected.get('gina@sluice.test')!, /^550 5\.1\.1/);
  users.gina = makeUser(dir, 'gina', testUid(7));
  fs.appendFileSync(join(dir, 'users'), `${users.gina.line}\n`);
  const after = await lmtpOnce({ port }, 'x@example.com', ['Gina+news@sluice.test'], MESSAGE);
  assert.deepEqual(after.accepted, ['Gina+news@sluice.test']);
  assert.equal(maildirMessages(`${users.gina.home}/Maildir`).length, 1);
});

test('reload (SIGHUP) keeps open connections and applies new limits: oversize -> 552 per recipient', async () => {
  const conn = await lmtpConnect({ port });
  try {
    const ok = await lmtpSend(conn, 'x@example.com', ['bob@sluice.test'], MESSAGE);
    assert.deepEqual(ok.accepted, ['bob@sluice.test']);
    await daemon.reload({ ...options, maxMessageSize: 2048 });
    const big = MESSAGE + 'x'.repeat(78).concat('\r\n').repeat(40);
    const r = await lmtpSend(conn, 'x@example.com', ['bob@sluice.test', 'alice@sluice.test'], big);
    assert.deepEqual(r.accepted, []);
    assert.match(r.rejected.get('bob@sluice.test')!, /^552 5\.\d\.\d /);
    assert.match(r.rejected.get('alice@sluice.test')!, /^552 5\.\d\.\d /);
    const small = await lmtpSend(conn, 'x@example.com', ['bob@sluice.test'], MESSAGE);
    assert.deepEqual(small.accepted, ['bob@sluice.test']);
  } finally {
    conn.quit();
    await daemon.reload(options);
  }
});

test('privilege separation: listener runs as nobody, workers as their users; no user reaches another\'s files', async (t) => {
  const skip = needRoot();
  if (skip) return t.skip(skip);
  assert.ok(daemon.listenerPid);
  assert.equal(processUid(daemon.listenerPid!), 65534);
  const uids = new Set(daemon.workerPids().map(processUid));
  assert.ok(uids.size >= 1);
  for (const uid of uids) assert.ok(Object.values(users).some((u) => u.uid === uid), `worker uid ${uid} is a test user`);
  assert.ok(!uids.has(0));
  // an rc that tries to write into another user's Maildir cannot (the mail falls back to its own)
  const mallory = makeUser(dir, 'mallory', testUid(8), `:0\n${users.bob!.home}/Maildir/\n`);
  fs.appendFileSync(join(dir, 'users'), `${mallory.line}\n`);
  const bobBefore = maildirMessages(`${users.bob!.home}/Maildir`).length;
  const r = await lmtpOnce({ port }, 'x@example.com', ['mallory@sluice.test'], MESSAGE);
  assert.deepEqual(r.accepted, ['mallory@sluice.test']);
  assert.equal(maildirMessages(`${users.bob!.home}/Maildir`).length, bobBefore);
  assert.equal(maildirMessages(`${mallory.home}/Maildir`).length, 1);
});

test('the listener and the workers run with the V8 flags that shorten their warm-up', async (t) => {
  const skip = needRoot();
  if (skip) return t.skip(skip);
  await lmtpOnce({ port }, 'x@example.com', ['bob@sluice.test'], MESSAGE); // at least one worker
  const pids = [daemon.listenerPid!, ...daemon.workerPids()];
  assert.ok(pids.length >= 2);
  for (const pid of pids) {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
    for (const flag of CHILD_V8_FLAGS) assert.ok(argv.includes(flag), `process ${pid} (${argv.join(' ')}) runs without ${flag}`);
  }
  // the override, for measuring: empty means V8's defaults
  assert.deepEqual(childV8Flags({ SLUICE_CHILD_V8_FLAGS: '' }), []);
  assert.deepEqual(childV8Flags({ SLUICE_CHILD_V8_FLAGS: ' --a  --b=1 ' }), ['--a', '--b=1']);
  assert.deepEqual(childV8Flags({}), [...CHILD_V8_FLAGS]);
});

/** A second daemon with `extra` options on a free port, closed after `body` however it ends. */
async function withDaemon(extra: Partial<LmtpdOptions>, body: (d: LmtpdHandle, port: number) => Promise<void>): Promise<void> {
  const d = await startLmtpd({ ...options, listen: ['127.0.0.1:0'], ...extra });
  try {
    await body(d, portOf(d.addresses[0]!));
  } finally {
    await d.close();
  }
}

/** One message to bob, tried again for a while: the server may still be coming back. */
const deliveredEventually = (p: number) => eventually(() => lmtpOnce({ port: p }, 'x@example.com', ['bob@sluice.test'], MESSAGE).catch(() => undefined), 2000, 50);

test('a listener that dies is replaced; messages sent to it as it dies do not take the supervisor down', async (t) => {
  const skip = needRoot();
  if (skip) return t.skip(skip);
  const own: LmtpdOptions = { ...options, listen: ['127.0.0.1:0'] };
  await withDaemon({}, async (d, p) => {
    const n = maildirMessages(`${users.bob!.home}/Maildir`).length;
    assert.deepEqual((await lmtpOnce({ port: p }, 'x@example.com', ['bob@sluice.test'], MESSAGE)).accepted, ['bob@sluice.test']);
    const first = d.listenerPid!;
    process.kill(first, 'SIGKILL');
    // wait, without giving the event loop a turn, until the listener is a zombie: its end of
    // the IPC channel is closed, but this process has not noticed yet. The reload's message
    // to it then fails with EPIPE, which must not become an uncaught error in this (root)
    // process.
    const until = Date.now() + 3000;
    while (Date.now() < until && !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${first}/stat`, 'latin1'))) { /* spin */ }
    await d.reload(own);
    await d.reload(own);
    const next = await eventually(() => (d.listenerPid !== first ? d.listenerPid : undefined), 5000, 25);
    assert.ok(next !== undefined && next !== first, 'a new listener');
    // the same address serves again (the supervisor kept the bound socket)
    const r = await deliveredEventually(p);
    assert.deepEqual(r?.accepted, ['bob@sluice.test']);
    assert.equal(maildirMessages(`${users.bob!.home}/Maildir`).length, n + 2);
  });
});

test('close (SIGTERM) finishes a delivery in progress before it resolves', async () => {
  const conn = await lmtpConnect({ port });
  const pending = lmtpSend(conn, 'x@example.com', ['frank@sluice.test'], MESSAGE);
  // stop once the delivery is running in the worker
  while (!fs.existsSync(`${users.frank!.home}/started`)) await new Promise((r) => setTimeout(r, 20));
  const closed = daemon.close();
  const r = await pending;
  await closed;
  assert.deepEqual(r.accepted, ['frank@sluice.test']);
  assert.equal(maildirMessages(`${users.frank!.home}/Maildir`).length, 1);
  assert.equal(daemon.workerPids().length, 0);
  // restart for any test that runs after this one
  daemon = await startLmtpd({ ...options, listen: ['127.0.0.1:0'] });
});

test('in-process mode (no separate listener) delivers the same way', async () => {
  await withDaemon({ separateListener: false }, async (d, p) => {
    assert.equal(d.listenerPid, undefined);
    const n = maildirMessages(`${users.bob!.home}/Maildir`).length;
    const r = await lmtpOnce({ port: p }, 'x@example.com', ['bob@sluice.test', 'zed@sluice.test'], MESSAGE);
    assert.deepEqual(r.accepted, ['bob@sluice.test']);
    assert.match(r.rejected.get('zed@sluice.test')!, /^550 5\.1\.1/);
    assert.equal(maildirMessages(`${users.bob!.home}/Maildir`).length, n + 1);
  });
});

test('recipients past the per-transaction limit get 452 4.5.3; the others are delivered', async () => {
  await withDaemon({ maxRecipients: 2 }, async (_d, p) => {
    const n = maildirMessages(`${users.bob!.home}/Maildir`).length;
    const r = await lmtpOnce({ port: p }, 'x@example.com', ['bob@sluice.test', 'bob+a@sluice.test', 'bob+b@sluice.test'], MESSAGE);
    assert.deepEqual(r.accepted, ['bob@sluice.test', 'bob+a@sluice.test']);
    assert.match(r.rejected.get('bob+b@sluice.test')!, /^452 4\.5\.3/);
    assert.equal(maildirMessages(`${users.bob!.home}/Maildir`).length, n + 2);
  });
});

test('connections past the per-address limit are told 421; a freed slot serves again', async () => {
  await withDaemon({ maxClients: 1 }, async (_d, p) => {
    const first = await lmtpConnect({ port: p });
    await assert.rejects(lmtpConnect({ port: p }), (err: { response?: string }) => /^421 /.test(err.response ?? ''));
    first.quit();
    const r = await deliveredEventually(p);
    assert.deepEqual(r?.accepted, ['bob@sluice.test']);
  });
});
