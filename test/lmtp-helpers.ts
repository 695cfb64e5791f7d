// Shared pieces of the LMTP tests: throw-away users, an LMTP client (nodemailer's
// SMTPConnection with lmtp: true), and a logger that keeps its lines for assertions.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export const isRoot = process.getuid?.() === 0;

/** A test that needs root skips with this reason, except in CI where it must run. */
export function needRoot(): string | false {
  if (isRoot) return false;
  if (process.env.CI) throw new Error('this test needs root in CI');
  return 'needs root (workers switch to other uids)';
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755); // workers run as other uids and must reach their homes
  return dir;
}

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** The passwd-file line. */
  line: string;
}

/** uids for virtual test users: distinct ones as root, our own otherwise. */
export function testUid(k: number): number {
  return isRoot ? 47000 + k : process.getuid!();
}

/** Creates home (+ Maildir) owned by the user, with an optional .procmailrc. */
export function makeUser(dir: string, name: string, uid: number, rc?: string): TestUser {
  const gid = isRoot ? uid : process.getgid!();
  const home = join(dir, name);
  for (const d of [home, `${home}/Maildir`, `${home}/Maildir/new`, `${home}/Maildir/cur`, `${home}/Maildir/tmp`]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    if (isRoot) fs.chownSync(d, uid, gid);
  }
  if (rc !== undefined) {
    fs.writeFileSync(`${home}/.procmailrc`, rc, { mode: 0o644 });
    if (isRoot) fs.chownSync(`${home}/.procmailrc`, uid, gid);
  }
  return { name, uid, gid, home, line: `${name}:{PLAIN}secret:${uid}:${gid}::${home}::` };
}

/** Files in a Maildir folder's new/ (sorted), with their contents. */
export function maildirMessages(folder: string): { name: string; data: Buffer; uid: number }[] {
  const dir = join(folder, 'new');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).sort().map((name) => {
    const p = join(dir, name);
    return { name, data: fs.readFileSync(p), uid: fs.statSync(p).uid };
  });
}

export interface CapturedLog {
  logger: Logger;
  lines: Record<string, unknown>[];
}

export function captureLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

/** Asks `probe` every `every` ms until it answers (not undefined) or `ms` have passed. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 3000, every = 10): Promise<T | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const answer = await probe();
    if (answer !== undefined || Date.now() > until) return answer;
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * The first captured line that `pred` accepts, waiting a little for it: lines written by the
 * listener process reach the supervisor's logger over IPC, a moment after the reply.
 */
export function logLine(log: CapturedLog, pred: (l: Record<string, unknown>) => boolean, ms = 3000): Promise<Record<string, unknown> | undefined> {
  return eventually(() => log.lines.find(pred), ms);
}

/** The port of a `host:port` address. */
export function portOf(address: string): number {
  return Number(address.split(':').pop());
}

export interface LmtpOutcome {
  /** Recipients the server answered 2xx after DATA. */
  accepted: string[];
  /** Every refused recipient (at RCPT or after DATA) with the server's reply line. */
  rejected: Map<string, string>;
}

export type Target = { port: number; host?: string } | { path: string };

/** A connected LMTP client. */
export async function lmtpConnect(target: Target): Promise<SMTPConnection> {
  const opts: SMTPConnection.Options = { lmtp: true, ignoreTLS: true, name: 'client.test', socketTimeout: 30_000 };
  if ('path' in target) {
    const net = await import('node:net');
    const socket = net.connect(target.path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    opts.connection = socket;
  } else {
    opts.host = target.host ?? '127.0.0.1';
    opts.port = target.port;
  }
  const conn = new SMTPConnection(opts);
  await new Promise<void>((resolve, reject) => {
    conn.once('error', reject);
    conn.connect(() => {
      conn.off('error', reject);
      resolve();
    });
  });
  // later errors (a reset connection) reach lmtpSend's caller as a rejection, not as an
  // 'error' event nobody listens to
  conn.on('error', () => undefined);
  return conn;
}

/** One transaction; resolves with per-recipient results (never rejects on 4xx/5xx replies). */
export function lmtpSend(conn: SMTPConnection, from: string, to: string[], message: string | Buffer): Promise<LmtpOutcome> {
  return new Promise((resolve, reject) => {
    // a connection that breaks mid-transaction may never call send()'s callback
    const lost = (err?: Error) => reject(err ?? new Error('LMTP connection closed'));
    conn.once('error', lost);
    conn.once('end', lost);
    conn.send({ from, to }, message, (err, info) => {
      conn.off('error', lost);
      conn.off('end', lost);
      const rejected = new Map<string, string>();
      const errors = (err as { rejectedErrors?: { recipient?: string; response?: string }[] } | null)?.rejectedErrors ?? info?.rejectedErrors ?? [];
      for (const e of errors) if (e.recipient) rejected.set(e.recipient, e.response ?? '');
      if (err && !rejected.size) {
        const e = err as { response?: string; recipient?: string };
        if (e.response && to.length === 1) rejected.set(to[0]!, e.response);
        else return reject(err);
      }
      const accepted = (info?.accepted ?? []).map(String).filter((a) => !rejected.has(a));
      resolve({ accepted, rejected });
    });
  });
}

export async function lmtpOnce(target: Target, from: string, to: string[], message: string | Buffer): Promise<LmtpOutcome> {
  const conn = await lmtpConnect(target);
  try {
    return await lmtpSend(conn, from, to, message);
  } finally {
    conn.quit();
  }
}

/** Real uid of a process, from /proc. */
export function processUid(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
}
