// The privileged half of lmtpd: resolves recipients, hands each one's delivery to a worker
// running as that user, turns outcomes into LMTP replies and writes one JSON log line per
// delivery. It never parses network input; the listener does that.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Logger } from 'pino';
import { EX_TEMPFAIL } from '../sysexits.ts';
import type { DeliveryJob, LookupAnswer, RecipientReply } from './ipc.ts';
import type { DeliverRequest, LmtpBackend } from './listener.ts';
import { WorkerPool, type JobOutcome } from './pool.ts';
import { replyFor, REPLY_UNKNOWN_USER } from './replies.ts';
import { UserDirectory, type MailUser, type Recipient } from './users.ts';

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
  /** For tests: other /etc/passwd and /etc/group. */
  passwdPath?: string;
  groupPath?: string;
}

export class DeliveryService implements LmtpBackend {
  private users: UserDirectory;
  private readonly pool: WorkerPool;
  private opts: ServiceOptions;
  private nextJob = 1;
  private readonly asRoot = process.getuid?.() === 0;
  private readonly ownUid = process.getuid?.() ?? 0;
  private readonly invoker = os.userInfo().username;

  constructor(opts: ServiceOptions, private readonly log: Logger) {
    this.opts = opts;
    this.users = this.directory(opts);
    const env: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin' };
    if (process.env.TZ !== undefined) env.TZ = process.env.TZ;
    this.pool = new WorkerPool({
      perUser: opts.workersPerUser,
      idleSeconds: opts.workerIdleSeconds,
      timeoutSeconds: opts.deliveryTimeoutSeconds,
      env,
      onStderr: (user, pid, line) => this.log.info({ user: user.name, pid, stderr: line }, 'worker output'),
      onEvent: (event, user, fields) => {
        const level = event === 'spawn' ? 'debug' : event === 'timeout' ? 'warn' : 'info';
        this.log[level]({ user: user.name, ...fields }, `worker ${event}`);
      },
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

  /** SIGHUP: new options and user files; workers are replaced after their current delivery. */
  reconfigure(opts: ServiceOptions): void {
    const users = this.directory(opts);
    this.opts = opts;
    this.users = users;
    this.pool.configure({ perUser: opts.workersPerUser, idleSeconds: opts.workerIdleSeconds, timeoutSeconds: opts.deliveryTimeoutSeconds });
    this.pool.retireAll();
  }

  get workerPids(): number[] {
    return this.pool.pids();
  }

  /** Finishes every delivery already accepted, then stops the workers. */
  close(): Promise<void> {
    return this.pool.close();
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
    return 'answer' in r ? r.answer : { status: 'ok' };
  }

  async deliver(req: DeliverRequest): Promise<RecipientReply[]> {
    return Promise.all(req.recipients.map((rcpt) => this.deliverOne(req, rcpt)));
  }

  private async deliverOne(req: DeliverRequest, rcpt: string): Promise<RecipientReply> {
    const started = performance.now();
    // looked up again: the file may have changed since RCPT
    const r = this.resolve(rcpt);
    if ('answer' in r) {
      const reply = r.answer.status === 'unknown' ? REPLY_UNKNOWN_USER : { code: 451, text: r.answer.text ?? 'try again later' };
      this.logDelivery(req, rcpt, undefined, reply, { ok: false, error: r.answer.text ?? r.answer.status }, started);
      return reply;
    }
    const { user, extension } = r.recipient;
    if (!user.virtual && this.asRoot) ensureSpoolMailbox(user);
    const job: DeliveryJob = {
      id: this.nextJob++,
      queueId: req.queueId,
      sender: req.sender,
      recipient: rcpt,
      user,
      args: extension ? [extension] : [],
      systemRc: this.opts.systemRc,
      invoker: this.invoker,
      data: req.data,
    };
    const outcome = await this.pool.run(job);
    const reply = outcome.ok
      ? replyFor({ exitCode: outcome.result.exitCode, noSpace: outcome.result.noSpace }, req.queueId, rcpt)
      : replyFor({ error: outcome.error }, req.queueId, rcpt);
    this.logDelivery(req, rcpt, user, reply, outcome, started);
    return reply;
  }

  private logDelivery(req: DeliverRequest, rcpt: string, user: MailUser | undefined, reply: RecipientReply, outcome: JobOutcome, started: number): void {
    const fields = {
      qid: req.queueId,
      from: req.sender,
      rcpt,
      user: user?.name,
      status: reply.code < 300 ? 'delivered' : reply.code < 500 ? 'deferred' : 'rejected',
      reply: `${reply.code} ${reply.text}`,
      folder: outcome.ok ? outcome.result.folder : undefined,
      bytes: outcome.ok ? outcome.result.bytes : undefined,
      size: req.data.length,
      exit: outcome.ok ? outcome.result.exitCode : EX_TEMPFAIL,
      error: outcome.ok ? undefined : outcome.error,
      ms: Math.round(performance.now() - started),
      client: req.session.remote,
    };
    if (reply.code < 300) this.log.info(fields, 'delivery');
    else this.log.warn(fields, 'delivery');
  }
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
