// End to end with the real peers (../shared/peers): Postfix hands mail for several users to
// sluice lmtpd, each user's rc files it into Maildir++ folders, Dovecot serves those Maildirs
// over IMAP, and every message arrives byte-exact in the folder its rc names. Then: one
// recipient's mailbox unwritable -> that recipient deferred, the other delivered, and Postfix
// retries only the failed one. Finally `sluice postfix-config`'s lines, applied to Postfix,
// route local(8) mailbox delivery to sluice.
//
// Needs root (Postfix, Dovecot, workers switching uids); skips without it except in CI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { startLmtpd, LMTPD_DEFAULTS, type LmtpdHandle } from '../src/lmtp/daemon.ts';
import { postfixLines } from '../src/cli/postfix-config.ts';
import { parseSystemUsers } from '../src/lmtp/users.ts';
import { captureLog, isRoot, maildirMessages } from './lmtp-helpers.ts';

const PEERS = [process.env.SLUICE_SHARED, '/work/shared', join(import.meta.dirname, '../../shared')]
  .filter((p): p is string => !!p)
  .map((p) => join(p, 'peers'))
  .find((p) => fs.existsSync(join(p, 'postfix.sh')));

function whyNot(): string | false {
  const reason = !isRoot ? 'needs root (Postfix, Dovecot, uid switching)' : !PEERS ? 'shared/peers not found' : '';
  if (!reason) return false;
  if (process.env.CI) throw new Error(`postfix e2e cannot run in CI: ${reason}`);
  return reason;
}
const skip = whyNot();

// ports of our own, away from the peers' defaults (other tests may run those)
const BASE = 21000 + (process.pid % 400) * 10;
const PORTS = { SMTP_PORT: BASE, SINK_PORT: BASE + 1, REINJECT_PORT: BASE + 2, IMAP_PORT: BASE + 3, POP3_PORT: BASE + 4, LMTP_PORT: BASE + 5 };
const LMTP_TCP = BASE + 6;
const PORT_ENV = Object.fromEntries(Object.entries(PORTS).map(([k, v]) => [k, String(v)]));

let dir = '';
let pf = '';
let dc = '';
let daemon: LmtpdHandle | undefined;
let mailUid = 8;
let mailGid = 8;
const log = captureLog();

const RC: Record<string, string> = {
  alice: 'MAILDIR=$HOME/Maildir/\nDEFAULT=$MAILDIR\n:0\n* ^Content-Type: multipart/mixed\n.Attachments/\n:0\n* ^Subject:.*Invoice\n.Invoices/\n',
  bob: 'MAILDIR=$HOME/Maildir/\nDEFAULT=$MAILDIR\n:0\n* ^From:.*@example\\.org\n.Org/\n',
  // carol has no rc: virtual users' DEFAULT is ~/Maildir/
};

/** The folder (Maildir++ name, '' = INBOX) each user's rc picks, computed independently. */
function expectedFolder(user: string, msg: Buffer): string {
  const text = msg.toString('latin1');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end + 1);
  if (user === 'alice') {
    if (/^Content-Type: multipart\/mixed/im.test(head)) return '.Attachments';
    if (/^Subject:.*Invoice/im.test(head)) return '.Invoices';
  }
  if (user === 'bob' && /^From:.*@example\.org/im.test(head)) return '.Org';
  return '';
}

function sh(script: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(join(PEERS!, script), args, { env: { ...process.env, ...PORT_ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

function postconf(...settings: string[]): void {
  execFileSync('postconf', ['-c', `${pf}/conf`, '-e', ...settings]);
}

function postfixLog(): string {
  try {
    return fs.readFileSync(`${pf}/log/postfix.log`, 'utf8');
  } catch {
    return '';
  }
}

async function waitFor(what: string, cond: () => boolean, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function drain(seconds = 90): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(join(PEERS!, 'postfix.sh'), ['drain', pf, String(seconds)], { env: { ...process.env, ...PORT_ENV } }, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

/** Sends every message over SMTP to Postfix on `sessions` parallel connections. */
async function submit(jobs: { to: string[]; data: Buffer }[], sessions: number): Promise<void> {
  const queue = jobs.slice();
  const worker = async () => {
    const conn = new SMTPConnection({ host: '127.0.0.1', port: PORTS.SMTP_PORT, ignoreTLS: true, name: 'client.test' });
    await new Promise<void>((resolve, reject) => {
      conn.once('error', reject);
      conn.connect(() => resolve());
    });
    for (let job = queue.shift(); job; job = queue.shift()) {
      const j = job;
      await new Promise<void>((resolve, reject) =>
        conn.send({ from: 'sender@example.com', to: j.to }, j.data, (err) => (err ? reject(err) : resolve())),
      );
    }
    conn.quit();
  };
  await Promise.all(Array.from({ length: sessions }, worker));
}

/** A minimal IMAP client: LOGIN, SELECT, UID FETCH 1:* BODY.PEEK[] with literals, LOGOUT. */
async function imapFetchAll(user: string, password: string, mailbox: string): Promise<Buffer[]> {
  const sock = net.connect(PORTS.IMAP_PORT, '127.0.0.1');
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  const more = () => new Promise<void>((resolve) => (wake = resolve));
  /** Reads up to the tagged reply; returns the literals ({n}\r\n<n bytes>) seen on the way. */
  const command = async (tag: string, line: string | null): Promise<Buffer[]> => {
    if (line !== null) sock.write(`${tag} ${line}\r\n`);
    const literals: Buffer[] = [];
    let at = 0;
    for (;;) {
      const nl = buf.indexOf('\r\n', at);
      if (nl < 0) {
        await more();
        continue;
      }
      const text = buf.subarray(at, nl).toString('latin1');
      const lit = /\{(\d+)\}$/.exec(text);
      if (lit) {
        const n = Number(lit[1]);
        while (buf.length < nl + 2 + n) await more();
        literals.push(Buffer.from(buf.subarray(nl + 2, nl + 2 + n)));
        at = nl + 2 + n;
        continue;
      }
      at = nl + 2;
      if (tag === '*' || text.startsWith(`${tag} `)) {
        if (tag !== '*' && !text.startsWith(`${tag} OK`)) throw new Error(`IMAP ${line}: ${text}`);
        buf = buf.subarray(at);
        return literals;
      }
    }
  };
  try {
    await command('*', null); // greeting
    await command('a1', `LOGIN ${user} ${password}`);
    await command('a2', `SELECT "${mailbox}"`);
    const bodies = await command('a3', 'UID FETCH 1:* (BODY.PEEK[])');
    await command('a4', 'LOGOUT');
    return bodies;
  } finally {
    sock.destroy();
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** IMAP serves CRLF; the messages here are LF-only, so this undoes exactly that. */
const fromImap = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');

/** Postfix prepends exactly one Received: header (with its continuation lines); nothing else changes. */
function stripPostfixReceived(delivered: Buffer): Buffer {
  // sluice's own Return-Path (the envelope sender) comes first, then Postfix's Received:
  const rp = /^Return-Path: <[^>\n]*>\n/.exec(delivered.toString('latin1'));
  assert.ok(rp, 'delivered message starts with the Return-Path sluice adds');
  delivered = delivered.subarray(rp[0].length);
  const m = /^Received: [^\n]*\n(?:[ \t][^\n]*\n)*/.exec(delivered.toString('latin1'));
  assert.ok(m, 'delivered message starts with Postfix\'s Received: header');
  assert.match(m[0], /by mta\.sluice\.test \(Postfix\)/);
  return delivered.subarray(m[0].length);
}

/**
 * The original as Postfix passes it on: its cleanup(8) drops the header fields named in
 * message_drop_headers (default: bcc, content-length, resent-bcc, return-path).
 */
function asPostfixPasses(original: Buffer): Buffer {
  const t = original.toString('latin1');
  const end = t.indexOf('\n\n');
  const head = t.slice(0, end + 1);
  const kept = head.replace(/^(?:bcc|content-length|resent-bcc|return-path):[^\n]*\n(?:[ \t][^\n]*\n)*/gim, '');
  return Buffer.from(kept + t.slice(end + 1), 'latin1');
}

/** Corpus messages Postfix passes through unchanged (apart from Received:): LF-only, complete headers, short lines. */
function corpusMessages(): Buffer[] {
  const mime = join(PEERS!, '../corpus/mime');
  const roots = fs.existsSync(mime) ? fs.readdirSync(mime).sort().map((d) => join(mime, d)).filter((d) => fs.statSync(d).isDirectory()) : [];
  const out: Buffer[] = [];
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    for (const f of fs.readdirSync(root).sort()) {
      if (!f.endsWith('.eml')) continue;
      const b = fs.readFileSync(join(root, f));
      const t = b.toString('latin1');
      const head = t.slice(0, t.indexOf('\n\n') + 1);
      if (t.includes('\r') || !t.endsWith('\n') || t.startsWith('From ') || t.indexOf('\n\n') < 0) continue;
      if (!/^Date:/im.test(head) || !/^Message-ID:/im.test(head) || !/^From:/im.test(head) || !/^To:/im.test(head)) continue;
      if (t.split('\n').some((l) => l.length > 900) || /^(Resent-|Return-Path:|Received:)/im.test(head)) continue;
      if (/[^\x00-\x7f]/.test(head)) continue; // smtputf8_enable = no
      // Postfix qualifies bare addresses in headers of mail from local clients (user -> user@myorigin)
      if (/^(From|To|Cc|Sender|Reply-To):(?![^\n]*@)/im.test(head)) continue;
      out.push(b);
      if (out.length >= 30) return out;
    }
  }
  return out;
}

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync('/tmp/slx-');
  fs.chmodSync(dir, 0o755);
  pf = join(dir, 'pf');
  dc = join(dir, 'dc');
  const mail = parseSystemUsers(fs.readFileSync('/etc/passwd', 'utf8'), '').get('mail');
  mailUid = mail?.uid ?? 8;
  mailGid = mail?.gid ?? 8;
  sh('dovecot.sh', ['start', dc], { TLS: '0', USERS: 'alice:alicepw bob:bobpw carol:carolpw' });
  // the Maildirs Dovecot serves (DIR/mail/USER/Maildir, owned by user mail) are written by sluice as that uid
  const lines: string[] = [];
  for (const user of ['alice', 'bob', 'carol']) {
    const home = join(dc, 'mail', user);
    // the INBOX Maildir exists (as after a first login): `MAILDIR=$HOME/Maildir/` must chdir
    for (const d of [home, `${home}/Maildir`, `${home}/Maildir/new`, `${home}/Maildir/cur`, `${home}/Maildir/tmp`]) {
      fs.mkdirSync(d, { recursive: true, mode: 0o700 });
      fs.chownSync(d, mailUid, mailGid);
    }
    if (RC[user]) {
      fs.writeFileSync(join(home, '.procmailrc'), RC[user]!, { mode: 0o644 });
      fs.chownSync(join(home, '.procmailrc'), mailUid, mailGid);
    }
    lines.push(`${user}:{PLAIN}x:${mailUid}:${mailGid}::${home}::`);
  }
  fs.writeFileSync(join(dir, 'users'), lines.join('\n') + '\n', { mode: 0o600 });
  daemon = await startLmtpd({
    ...LMTPD_DEFAULTS,
    listen: [join(dir, 'lmtp.sock'), `127.0.0.1:${LMTP_TCP}`],
    passwdFile: join(dir, 'users'),
    systemUsers: false,
    logger: log.logger,
  });
  sh('postfix.sh', ['start', pf], { LMTP_DOMAINS: 'sluice.test', LMTP_NEXTHOP: `unix:${join(dir, 'lmtp.sock')}` });
});

after(async () => {
  if (skip) return;
  try {
    if (pf) sh('postfix.sh', ['stop', pf]);
  } catch { /* already stopped */ }
  try {
    if (dc) sh('dovecot.sh', ['stop', dc]);
  } catch { /* already stopped */ }
  await daemon?.close();
  if (dir && !process.env.SLUICE_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

test('Postfix -> sluice lmtpd -> Maildir++ folders, served by Dovecot over IMAP, byte-exact', { skip, timeout: 240_000 }, async () => {
  const gen = join(dir, 'gen');
  execFileSync('python3', [join(PEERS!, 'gen-messages.py'), '-n', '150', '-s', '3k', '--dir', gen]);
  const messages = [...fs.readdirSync(gen).sort().map((f) => fs.readFileSync(join(gen, f))), ...corpusMessages()];
  assert.ok(messages.length >= 150, `${messages.length} messages`);
  const groups = [['alice'], ['bob'], ['carol'], ['alice', 'bob'], ['alice', 'bob', 'carol'], ['bob', 'carol']];
  const jobs = messages.map((data, i) => ({ data, users: groups[i % groups.length]! }));
  await submit(jobs.map((j) => ({ data: j.data, to: j.users.map((u) => `${u}@sluice.test`) })), 10);
  await drain();

  // what each user's folders must hold: sha256 of the original message, per folder
  const expected = new Map<string, string[]>();
  for (const j of jobs) {
    for (const u of j.users) {
      const key = `${u}/${expectedFolder(u, j.data)}`;
      expected.set(key, [...(expected.get(key) ?? []), sha(asPostfixPasses(j.data))]);
    }
  }
  const total = jobs.reduce((n, j) => n + j.users.length, 0);
  let seen = 0;
  for (const [key, hashes] of expected) {
    const [user, folder] = key.split('/') as [string, string];
    // on disk: the file sluice wrote is Postfix's Received: + what Postfix passed on, byte for byte
    const files = maildirMessages(join(dc, 'mail', user, 'Maildir', folder));
    assert.equal(files.length, hashes.length, `${key}: number of messages`);
    assert.deepEqual(files.map((f) => sha(stripPostfixReceived(f.data))).sort(), hashes.slice().sort(), `${key}: contents`);
    for (const f of files) assert.equal(f.uid, mailUid);
    // over IMAP: Dovecot serves exactly those files
    const imap = await imapFetchAll(user, `${user}pw`, folder === '' ? 'INBOX' : folder.slice(1));
    assert.deepEqual(imap.map((b) => sha(fromImap(b))).sort(), files.map((f) => sha(f.data)).sort(), `${key}: IMAP`);
    seen += files.length;
  }
  assert.equal(seen, total);
  // nothing else anywhere: no deferrals, no bounces
  assert.doesNotMatch(postfixLog(), /status=(deferred|bounced)/);
  const deliveries = log.lines.filter((l) => l.msg === 'delivery');
  assert.equal(deliveries.length, total);
  assert.ok(deliveries.every((l) => l.status === 'delivered' && typeof l.ms === 'number' && typeof l.bytes === 'number'));
});

test('one recipient unwritable: it alone is deferred (4xx) and retried; the other gets the mail once', { skip, timeout: 120_000 }, async () => {
  const carolNew = join(dc, 'mail', 'carol', 'Maildir', 'new');
  const aliceInbox = join(dc, 'mail', 'alice', 'Maildir');
  const before = { alice: maildirMessages(aliceInbox).length, carol: maildirMessages(join(dc, 'mail', 'carol', 'Maildir')).length };
  fs.chmodSync(carolNew, 0o500);
  const msg = Buffer.from('From: x@example.com\nTo: alice@sluice.test, carol@sluice.test\nSubject: retry me\nMessage-ID: <retry@example.com>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nonly carol is retried\n');
  try {
    await submit([{ to: ['alice@sluice.test', 'carol@sluice.test'], data: msg }], 1);
    await waitFor('carol deferred', () => /to=<carol@sluice\.test>.*status=deferred \(host [^)]* said: 451 4\.3\.0 /.test(postfixLog()), 60);
    await waitFor('alice delivered', () => maildirMessages(aliceInbox).length === before.alice + 1, 30);
  } finally {
    fs.chmodSync(carolNew, 0o700);
  }
  execFileSync('postqueue', ['-c', `${pf}/conf`, '-f']);
  await drain(60);
  const carol = maildirMessages(join(dc, 'mail', 'carol', 'Maildir'));
  assert.equal(carol.length, before.carol + 1);
  const retried = carol.find((f) => f.data.includes('only carol is retried'));
  assert.ok(retried);
  assert.deepEqual(stripPostfixReceived(retried.data), asPostfixPasses(msg));
  // Postfix retried carol only: alice still has exactly one copy
  assert.equal(maildirMessages(aliceInbox).length, before.alice + 1);
  const aliceLines = log.lines.filter((l) => l.msg === 'delivery' && l.rcpt === 'alice@sluice.test' && l.from === 'sender@example.com');
  const carolLines = log.lines.filter((l) => l.msg === 'delivery' && l.rcpt === 'carol@sluice.test');
  assert.ok(carolLines.some((l) => l.status === 'deferred'));
  assert.ok(aliceLines.length > 0);
  assert.match(postfixLog(), /to=<carol@sluice\.test>.*status=sent \(250 2\.6\.0 /);
});

test('postfix-config lines applied to Postfix: local(8) mailbox delivery goes to sluice over LMTP', { skip, timeout: 120_000 }, async () => {
  const { mainCf, masterCf } = postfixLines(`127.0.0.1:${LMTP_TCP}`);
  const settings = mainCf.filter((l) => l && !l.startsWith('#'));
  assert.ok(settings.includes(`mailbox_transport = lmtp:inet:127.0.0.1:${LMTP_TCP}`));
  // the master.cf line must be one Postfix already has (or accepts)
  const service = masterCf.find((l) => !l.startsWith('#'))!.split(/\s+/).slice(0, 2).join('/');
  assert.match(execFileSync('postconf', ['-c', `${pf}/conf`, '-M', service], { encoding: 'utf8' }), /^lmtp\s+unix/);
  postconf('mydestination = local.sluice.test', 'local_recipient_maps =', ...settings);
  execFileSync('postfix', ['-c', `${pf}/conf`, 'reload'], { stdio: 'ignore' });
  const inbox = join(dc, 'mail', 'bob', 'Maildir');
  const n = maildirMessages(inbox).length;
  const msg = Buffer.from('From: x@example.com\nTo: bob@local.sluice.test\nSubject: via local(8)\nMessage-ID: <local@example.com>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nmailbox_transport works\n');
  await submit([{ to: ['bob@local.sluice.test'], data: msg }], 1);
  await drain(60);
  await waitFor('bob delivery via local(8)', () => maildirMessages(inbox).length === n + 1, 30);
  const got = maildirMessages(inbox).map((f) => f.data).find((d) => d.includes('mailbox_transport works'));
  assert.ok(got);
  assert.match(postfixLog(), /to=<bob@local\.sluice\.test>.*relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+.*status=sent/);
});
