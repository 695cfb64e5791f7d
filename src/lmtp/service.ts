// The privileged half of lmtpd: resolves recipients, starts the workers (each one running as
// its user, with a channel straight to the listener) and kills one that overran. It never
// parses network input and never sees a message: the listener and the workers do that.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Logger } from 'pino';
import type * as net from 'node:net';
import type { LookupAnswer } from './ipc.ts';
import { frameLimit } from './frames.ts';
import { REPLY_UNKNOWN_USER } from './replies.ts';
import { UserDirectory, type MailUser, type Recipient } from './users.ts';
import { WorkerSpawner } from './workers.ts';

export interface ServiceOptions {
  passwdFile?: string;
  systemUsers: boolean;
  recipientDelimiter: string;
  systemRc?: string;
  /** Users with a smaller uid are not delivered to (root's mail belongs in an alias). */
  firstValidUid: number;
  workersPerUser: number;
  workerIdleSeconds: number;
  deliveryTimeoutSeconds: number;
  /** Largest message accepted (bytes); larger ones get 552 (and no worker accepts more). */
  maxMessageSize: number;
  /** For tests: other /etc/passwd and /etc/group. */
  passwdPath?: string;
  groupPath?: string;
}

export class DeliveryService {
  private users: UserDirectory;
  private readonly spawner: WorkerSpawner;
  private opts: ServiceOptions;
  /** Users named in 'ok' lookup answers, by key (what the listener asks workers for). */
  private readonly known = new Map<string, { user: MailUser; address: string }>();
  private readonly asRoot = process.getuid?.() === 0;
  private readonly ownUid = process.getuid?.() ?? 0;
  private readonly invoker = os.userInfo().username;
  /** Where worker exits are reported (the dispatcher, in this process or in the listener). */
  onWorkerExit: (pid: number, why: string) => void = () => undefined;

  constructor(opts: ServiceOptions, private readonly log: Logger) {
    this.opts = opts;
    this.users = this.directory(opts);
    const env: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin' };
    if (process.env.TZ !== undefined) env.TZ = process.env.TZ;
    this.spawner = new WorkerSpawner({
      env,
      onStderr: (user, pid, line) => this.log.info({ user: user.name, pid, stderr: line }, 'worker output'),
      onEvent: (event, user, fields) => {
        const level = event === 'spawn' ? 'debug' : event === 'timeout' ? 'warn' : 'info';
        this.log[level]({ user: user.name, ...fields }, `worker ${event}`);
      },
      onExit: (pid, why) => this.onWorkerExit(pid, why),
    });
  }

  private directory(opts: ServiceOptions): UserDirectory {
    const dir = new UserDirectory({
      passwdFile: opts.passwdFile,
      systemUsers: opts.systemUsers,
      recipientDelimiter: opts.recipientDelimiter,
      passwdPath: opts.passwdPath,
      groupPath: opts.groupPath,
    });
    dir.reload(); // a broken passwd-file is a start-up (or reload) error, not a 4xx per message
    return dir;
  }

  /** SIGHUP: new options and user files (the front retires the workers). */
  reconfigure(opts: ServiceOptions): void {
    const users = this.directory(opts);
    this.opts = opts;
    this.users = users;
    // `known` stays: open() checks every key against the new files anyway, and a listener
    // that has not heard of the reload yet keeps getting workers for unchanged users
  }

  get workerPids(): number[] {
    return this.spawner.pids();
  }

  /** Waits for every worker to leave (the front has let them go after their deliveries). */
  close(): Promise<void> {
    return this.spawner.close();
  }

  private resolve(address: string): { recipient: Recipient } | { answer: LookupAnswer } {
    let r: Recipient | null;
    try {
      r = this.users.lookup(address);
    } catch (err) {
      this.log.error({ rcpt: address, err: String(err) }, 'user lookup failed');
      return { answer: { status: 'tempfail', text: 'User database unavailable, try again later' } };
    }
    if (!r || r.user.uid < this.opts.firstValidUid) return { answer: { status: 'unknown', text: REPLY_UNKNOWN_USER.text } };
    if (!this.asRoot && r.user.uid !== this.ownUid) {
      // not root: we can only deliver as ourselves; the admin must fix this, the MTA keeps the mail
      return { answer: { status: 'tempfail', text: `Cannot deliver as uid ${r.user.uid}: lmtpd is not running as root` } };
    }
    return { recipient: r };
  }

  async lookup(address: string): Promise<LookupAnswer> {
    const r = this.resolve(address);
    if ('answer' in r) return r.answer;
    const { user, extension } = r.recipient;
    const key = userKey(user);
    if (this.known.size > 10_000) this.known.clear();
    this.known.set(key, { user, address });
    return { status: 'ok', key, user: user.name, args: extension ? [extension] : [] };
  }

  /** A worker for the user `key` (from a lookup answer), if that user is still the same. */
  async open(key: string): Promise<{ pid: number; socket: net.Socket }> {
    const k = this.known.get(key);
    // looked up again: the passwd-file may have changed since the answer
    const now = k ? this.resolve(k.address) : undefined;
    if (!k || !now || 'answer' in now || userKey(now.recipient.user) !== key) {
      this.known.delete(key);
      throw new Error('user changed, try again later');
    }
    const { user } = now.recipient;
    // the listener keeps to workersPerUser; this only stops a misbehaving one
    if (this.spawner.countFor(user.name) >= 2 * this.opts.workersPerUser) throw new Error('too many workers for this user');
    if (!user.virtual && this.asRoot) ensureSpoolMailbox(user);
    return this.spawner.open({ user, systemRc: this.opts.systemRc, invoker: this.invoker, maxFrame: frameLimit(this.opts.maxMessageSize) });
  }

  kill(pid: number, why: string): void {
    this.spawner.kill(pid, why);
  }
}

/** One user as the passwd entry is now: a change (uid, home...) means new workers. */
function userKey(u: MailUser): string {
  return [u.name, u.uid, u.gid, u.groups.join(','), u.home, u.virtual ? 'v' : 's'].join('\0');
}

/**
 * procmail (setuid root) creates /var/mail/USER at start-up when it is missing; the worker
 * runs as the user and usually cannot create files in the spool, so the root side does it:
 * mode 0660, owned by the user and the spool's group (mail).
 */
function ensureSpoolMailbox(user: MailUser, spool = '/var/mail'): void {
  const path = `${spool}/${user.name}`;
  try {
    const dir = fs.statSync(spool);
    const fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o660);
    try {
      fs.fchownSync(fd, user.uid, dir.gid);
      fs.fchmodSync(fd, 0o660);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // exists already, or no spool here: the engine reports what it cannot write
  }
}
