// The listener's side of delivery: for every accepted recipient it finds a worker of that
// user and sends it the message over their private channel, answers per recipient from the
// worker's result (replies.ts), and writes the delivery's log line. Workers come from the
// supervisor ("open a worker for user U"); up to workersPerUser run side by side for one
// user, an idle one is let go after workerIdleSeconds, and one that overruns its delivery
// is answered 4xx and killed (by the supervisor: only root can). A worker that dies fails
// only its own delivery.
import type * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { EX_TEMPFAIL } from '../sysexits.ts';
import { LMTP_LOOKUP_CACHE_MS, LMTP_WORKER_EXIT_WAIT_SECONDS } from '../limits.ts';
import { FrameChannel, frameLimit } from './frames.ts';
import type { DeliveryJob, DeliveryResult, ListenerSettings, LogEntry, LookupAnswer, RecipientReply, WorkerAnswer } from './ipc.ts';
import type { DeliverRequest, LmtpBackend } from './listener.ts';
import { REPLY_UNKNOWN_USER, replyFor } from './replies.ts';

/** What the listener needs from the supervisor. */
export interface SupervisorLink {
  lookup(address: string): Promise<LookupAnswer>;
  /** A new worker for the user `key`: its pid and the listener's end of its channel. */
  open(key: string): Promise<{ pid: number; socket: net.Socket }>;
  kill(pid: number, why: string): void;
  log(entry: LogEntry): void;
}

export type JobOutcome = { ok: true; result: DeliveryResult } | { ok: false; error: string };

interface Pending {
  job: DeliveryJob;
  /** The message (shared by every recipient of one transaction). */
  data: Buffer;
  resolve(outcome: JobOutcome): void;
}

class Channel {
  busy: Pending | undefined;
  retired = false;
  /** How the worker process ended, once the supervisor said so. */
  exitWhy: string | undefined;
  timer: NodeJS.Timeout | undefined;
  readonly frames: FrameChannel<WorkerAnswer, DeliveryJob>;

  constructor(readonly key: string, readonly pid: number, socket: net.Socket, maxFrame: number) {
    this.frames = new FrameChannel(socket, maxFrame);
  }
}

export class Dispatcher implements LmtpBackend {
  private readonly cache = new Map<string, { answer: LookupAnswer; until: number }>();
  private readonly channels = new Map<string, Set<Channel>>();
  private readonly opening = new Map<string, number>();
  private readonly queues = new Map<string, Pending[]>();
  private readonly byPid = new Map<number, Channel>();
  private nextJob = 1;
  private closing = false;

  constructor(private readonly link: SupervisorLink, private settings: ListenerSettings) {}

  configure(settings: ListenerSettings): void {
    this.settings = settings;
  }

  async lookup(address: string): Promise<LookupAnswer> {
    const hit = this.cache.get(address);
    const now = performance.now();
    if (hit && hit.until > now) return hit.answer;
    const answer = await this.link.lookup(address);
    // only positive answers are kept: a user added to the passwd-file is known at once
    if (answer.status === 'ok') {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(address, { answer, until: now + LMTP_LOOKUP_CACHE_MS });
    } else this.cache.delete(address);
    return answer;
  }

  deliver(req: DeliverRequest): Promise<RecipientReply[]> {
    return Promise.all(req.recipients.map((rcpt) => this.deliverOne(req, rcpt)));
  }

  private async deliverOne(req: DeliverRequest, rcpt: string): Promise<RecipientReply> {
    const started = performance.now();
    const answer = await this.lookup(rcpt).catch((err: unknown): LookupAnswer => ({ status: 'tempfail', text: `Temporary lookup failure (${String(err)})` }));
    if (answer.status !== 'ok' || answer.key === undefined) {
      const reply = answer.status === 'unknown' ? REPLY_UNKNOWN_USER : { code: 451, text: answer.text ?? 'try again later' };
      this.logDelivery(req, rcpt, undefined, reply, { ok: false, error: answer.text ?? answer.status }, started);
      return reply;
    }
    const job: DeliveryJob = { id: this.nextJob++, queueId: req.queueId, sender: req.sender, recipient: rcpt, args: answer.args ?? [] };
    const outcome = await this.run(answer.key, job, req.data);
    const reply = outcome.ok
      ? replyFor({ exitCode: outcome.result.exitCode, noSpace: outcome.result.noSpace }, req.queueId, rcpt)
      : replyFor({ error: outcome.error }, req.queueId, rcpt);
    this.logDelivery(req, rcpt, answer.user, reply, outcome, started);
    return reply;
  }

  private run(key: string, job: DeliveryJob, data: Buffer): Promise<JobOutcome> {
    return new Promise((resolve) => {
      const queue = this.queues.get(key) ?? [];
      queue.push({ job, data, resolve });
      this.queues.set(key, queue);
      this.pump(key);
    });
  }

  /** Gives waiting jobs of `key` to idle workers, and asks for more workers while allowed. */
  private pump(key: string): void {
    const queue = this.queues.get(key);
    if (!queue?.length) {
      this.queues.delete(key);
      return;
    }
    const set = this.channels.get(key) ?? new Set<Channel>();
    for (const ch of set) {
      if (!queue.length) break;
      if (!ch.busy && !ch.retired && !ch.frames.isClosed) this.start(ch, queue.shift()!);
    }
    let opening = this.opening.get(key) ?? 0;
    while (queue.length > opening && set.size + opening < this.settings.workersPerUser && !this.closing) {
      opening++;
      this.openWorker(key);
    }
    this.opening.set(key, opening);
  }

  private openWorker(key: string): void {
    const settled = () => this.opening.set(key, (this.opening.get(key) ?? 1) - 1);
    this.link.open(key).then(
      ({ pid, socket }) => {
        settled();
        const ch = new Channel(key, pid, socket, frameLimit(this.settings.maxMessageSize));
        const set = this.channels.get(key) ?? new Set<Channel>();
        set.add(ch);
        this.channels.set(key, set);
        this.byPid.set(pid, ch);
        ch.frames.listen((a) => this.answered(ch, a), () => this.lost(ch));
        socket.resume();
        this.idle(ch);
      },
      (err: unknown) => {
        settled();
        // the user may have changed (passwd-file): ask again next time
        for (const [address, entry] of this.cache) if (entry.answer.key === key) this.cache.delete(address);
        // the job at the head of the queue fails, or a user whose worker cannot start
        // would have workers started for ever
        this.queues.get(key)?.shift()?.resolve({ ok: false, error: err instanceof Error ? err.message : String(err) });
        this.pump(key);
      },
    );
  }

  private start(ch: Channel, p: Pending): void {
    clearTimeout(ch.timer);
    ch.busy = p;
    const seconds = this.settings.deliveryTimeoutSeconds;
    ch.timer = setTimeout(() => this.timedOut(ch, seconds), seconds * 1000);
    if (!ch.frames.send(p.job, p.data)) this.lost(ch);
  }

  private finish(ch: Channel, outcome: JobOutcome): void {
    const p = ch.busy;
    if (!p) return;
    clearTimeout(ch.timer);
    ch.busy = undefined;
    p.resolve(outcome);
  }

  private answered(ch: Channel, a: WorkerAnswer): void {
    const p = ch.busy;
    if (!p) return;
    if (a.type === 'result' && a.result.id === p.job.id) this.finish(ch, { ok: true, result: a.result });
    else if (a.type === 'failed' && a.id === p.job.id) this.finish(ch, { ok: false, error: a.error });
    else return;
    this.idle(ch);
  }

  /** A worker is free: next job, or let go (retired), or wait idle for a while. */
  private idle(ch: Channel): void {
    if (ch.retired || this.closing) return this.drop(ch);
    const queue = this.queues.get(ch.key);
    if (queue?.length) return this.start(ch, queue.shift()!);
    clearTimeout(ch.timer);
    ch.timer = setTimeout(() => this.drop(ch), this.settings.workerIdleSeconds * 1000);
    ch.timer.unref();
  }

  private timedOut(ch: Channel, seconds: number): void {
    const error = `delivery timed out after ${seconds} s`;
    this.link.kill(ch.pid, error);
    this.finish(ch, { ok: false, error });
    this.drop(ch);
  }

  /** Closes a channel: the worker leaves when it sees the end. */
  private drop(ch: Channel): void {
    clearTimeout(ch.timer);
    this.forget(ch);
    ch.frames.close();
  }

  private forget(ch: Channel): void {
    const set = this.channels.get(ch.key);
    if (set?.delete(ch) && set.size === 0) this.channels.delete(ch.key);
    this.pump(ch.key);
  }

  /** The channel closed under us: the worker died (or was killed). */
  private lost(ch: Channel): void {
    this.forget(ch);
    if (!ch.busy) {
      this.byPid.delete(ch.pid);
      return;
    }
    // answer with how the process ended, which the supervisor tells us separately
    if (ch.exitWhy !== undefined) return this.failLost(ch);
    clearTimeout(ch.timer);
    ch.timer = setTimeout(() => this.failLost(ch), LMTP_WORKER_EXIT_WAIT_SECONDS * 1000);
  }

  private failLost(ch: Channel): void {
    this.byPid.delete(ch.pid);
    this.finish(ch, { ok: false, error: ch.exitWhy ?? 'worker connection lost' });
  }

  /** The supervisor saw a worker process end. */
  workerExited(pid: number, why: string): void {
    const ch = this.byPid.get(pid);
    if (!ch) return;
    ch.exitWhy = why;
    if (ch.frames.isClosed) {
      if (ch.busy) this.failLost(ch);
      else this.byPid.delete(pid);
    }
  }

  /** Reload: every worker is replaced after its current delivery; lookups are asked again. */
  retireAll(): void {
    this.cache.clear();
    for (const set of [...this.channels.values()]) {
      for (const ch of [...set]) {
        ch.retired = true;
        if (!ch.busy) this.drop(ch);
      }
    }
  }

  /** Lets every worker go once its delivery is answered (LmtpListener.close() waits for those). */
  close(): void {
    this.closing = true;
    for (const set of [...this.channels.values()]) for (const ch of [...set]) if (!ch.busy) this.drop(ch);
  }

  private logDelivery(req: DeliverRequest, rcpt: string, user: string | undefined, reply: RecipientReply, outcome: JobOutcome, started: number): void {
    const fields = {
      qid: req.queueId,
      from: req.sender,
      rcpt,
      user,
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
    this.link.log({ level: reply.code < 300 ? 'info' : 'warn', msg: 'delivery', fields });
  }
}
