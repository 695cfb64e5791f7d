// Resident per-user workers. A worker is forked once for a user, drops to that user, and is
// reused for the next deliveries; up to `perUser` run side by side for one user (one delivery
// each), idle ones exit after `idleSeconds`. A worker that dies or overruns its delivery
// timeout fails only its own delivery (the caller answers 4xx); the next job starts a new one.
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DeliveryJob, DeliveryResult, FromWorker, ToWorker } from './ipc.ts';
import { sluiceEntry } from './spawn.ts';
import type { MailUser } from './users.ts';

export interface PoolOptions {
  /** Workers that may deliver for one user at the same time. */
  perUser: number;
  /** An idle worker exits after this many seconds. */
  idleSeconds: number;
  /** A delivery running longer than this is killed and answered 4xx. */
  timeoutSeconds: number;
  /** Environment of worker processes (the engine builds the rc's environment itself). */
  env: Record<string, string>;
  /** A line a worker wrote to stderr (procmail diagnostics without LOGFILE, program stderr). */
  onStderr(user: MailUser, pid: number, line: string): void;
  /** Worker lifecycle events worth a log line. */
  onEvent(event: 'spawn' | 'exit' | 'timeout', user: MailUser, fields: Record<string, unknown>): void;
}

export type JobOutcome = { ok: true; result: DeliveryResult } | { ok: false; error: string };

interface Pending {
  job: DeliveryJob;
  resolve(outcome: JobOutcome): void;
}

class Worker {
  readonly child: ChildProcess;
  ready = false;
  busy: Pending | undefined;
  retired = false;
  exited = false;
  private timer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly user: MailUser, private readonly pool: WorkerPool, opts: PoolOptions) {
    const entry = sluiceEntry();
    const groups = user.groups.length ? user.groups : [user.gid];
    this.child = fork(entry.modulePath, ['worker', '--uid', String(user.uid), '--gid', String(user.gid), '--groups', groups.join(',')], {
      execArgv: entry.execArgv,
      cwd: entry.cwd,
      env: opts.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const pid = this.child.pid ?? 0;
    if (this.child.stderr) {
      createInterface({ input: this.child.stderr, crlfDelay: Infinity }).on('line', (line) => opts.onStderr(user, pid, line));
    }
    this.child.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.child.on('error', () => this.onExit(null, null));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
    opts.onEvent('spawn', user, { pid });
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'ready') {
      this.ready = true;
      this.pool.idle(this);
      return;
    }
    const p = this.busy;
    if (!p) return;
    if (msg.type === 'result' && msg.result.id === p.job.id) this.finish({ ok: true, result: msg.result });
    else if (msg.type === 'failed' && msg.id === p.job.id) this.finish({ ok: false, error: msg.error });
  }

  private finish(outcome: JobOutcome): void {
    const p = this.busy;
    if (!p) return;
    clearTimeout(this.timer);
    this.busy = undefined;
    p.resolve(outcome);
    if (!this.exited) this.pool.idle(this);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    clearTimeout(this.timer);
    clearTimeout(this.idleTimer);
    const why = signal ? `worker killed by ${signal}` : `worker exited with status ${code}`;
    this.pool.gone(this, why);
    if (this.busy) {
      const p = this.busy;
      this.busy = undefined;
      p.resolve({ ok: false, error: why });
    }
  }

  start(p: Pending, timeoutSeconds: number): void {
    clearTimeout(this.idleTimer);
    this.busy = p;
    this.timer = setTimeout(() => {
      this.pool.timedOut(this);
      this.finish({ ok: false, error: `delivery timed out after ${timeoutSeconds} s` });
      this.kill();
    }, timeoutSeconds * 1000);
    this.send({ type: 'deliver', job: p.job });
  }

  idleFor(seconds: number): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), seconds * 1000);
    this.idleTimer.unref();
  }

  /** Ask to exit after the current job (if any). */
  stop(): void {
    this.retired = true;
    if (!this.busy && !this.exited) {
      this.send({ type: 'exit' });
      // a worker that does not leave in time (stuck in a program) is killed
      setTimeout(() => this.kill(), 5000).unref();
    }
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private send(msg: ToWorker): void {
    try {
      if (this.child.connected) this.child.send(msg);
    } catch {
      // the exit handler fails the job
    }
  }
}

function userKey(u: MailUser): string {
  return [u.name, u.uid, u.gid, u.groups.join(','), u.home, u.virtual ? 'v' : 's'].join('\0');
}

export class WorkerPool {
  private readonly workers = new Map<string, Set<Worker>>();
  private readonly queues = new Map<string, Pending[]>();
  private opts: PoolOptions;
  private closing = false;
  private drained: (() => void) | undefined;

  constructor(opts: PoolOptions) {
    this.opts = opts;
  }

  /** New limits apply to the next jobs; running workers are kept. */
  configure(opts: Partial<PoolOptions>): void {
    this.opts = { ...this.opts, ...opts };
  }

  /** Runs one job in a worker of its user; resolves (never rejects) when it is answered. */
  run(job: DeliveryJob): Promise<JobOutcome> {
    if (this.closing) return Promise.resolve({ ok: false, error: 'shutting down' });
    return new Promise((resolve) => {
      const key = userKey(job.user);
      const queue = this.queues.get(key) ?? [];
      queue.push({ job, resolve });
      this.queues.set(key, queue);
      this.dispatch(key, job.user);
    });
  }

  /** Number of live worker processes. */
  get size(): number {
    let n = 0;
    for (const set of this.workers.values()) n += set.size;
    return n;
  }

  /** Pids of live workers (tests, status). */
  pids(): number[] {
    const out: number[] = [];
    for (const set of this.workers.values()) for (const w of set) if (w.child.pid) out.push(w.child.pid);
    return out;
  }

  /** Every worker exits after its current job; later jobs get fresh workers (SIGHUP). */
  retireAll(): void {
    for (const set of this.workers.values()) for (const w of set) w.stop();
  }

  /** Finishes queued and running jobs, then stops every worker. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      this.checkDrained();
    });
    this.closing = true;
    const all = [...this.workers.values()].flatMap((s) => [...s]);
    await Promise.all(all.map((w) => new Promise<void>((resolve) => {
      if (w.exited) return resolve();
      w.child.once('exit', () => resolve());
      w.stop();
    })));
  }

  private dispatch(key: string, user: MailUser): void {
    const queue = this.queues.get(key);
    if (!queue?.length) return;
    const set = this.workers.get(key) ?? new Set<Worker>();
    this.workers.set(key, set);
    for (const w of set) {
      if (!queue.length) break;
      if (w.ready && !w.busy && !w.retired && !w.exited) w.start(queue.shift()!, this.opts.timeoutSeconds);
    }
    // start workers for what is still waiting (they take a job once they report ready)
    let starting = [...set].filter((w) => !w.ready && !w.exited).length;
    while (queue.length > starting && set.size < this.opts.perUser) {
      set.add(new Worker(user, this, this.opts));
      starting++;
    }
  }

  /** A worker is ready for work (fresh, or done with a job). */
  idle(w: Worker): void {
    const key = userKey(w.user);
    if (w.retired) w.stop();
    else {
      const queue = this.queues.get(key);
      if (queue?.length) w.start(queue.shift()!, this.opts.timeoutSeconds);
      else w.idleFor(this.opts.idleSeconds);
    }
    this.checkDrained();
  }

  gone(w: Worker, why: string): void {
    const key = userKey(w.user);
    const set = this.workers.get(key);
    set?.delete(w);
    if (set && set.size === 0) this.workers.delete(key);
    this.opts.onEvent('exit', w.user, { pid: w.child.pid, why });
    // jobs still waiting for this user need a worker; a worker that never got ready fails
    // the job at the head of the queue (otherwise a user whose worker cannot start would
    // spawn workers forever)
    const queue = this.queues.get(key);
    if (!w.ready && queue?.length && !w.busy) queue.shift()!.resolve({ ok: false, error: `worker could not start (${why})` });
    if (queue?.length && !this.closing) this.dispatch(key, w.user);
    this.checkDrained();
  }

  timedOut(w: Worker): void {
    this.opts.onEvent('timeout', w.user, { pid: w.child.pid });
  }

  private checkDrained(): void {
    if (!this.drained) return;
    for (const q of this.queues.values()) if (q.length) return;
    for (const set of this.workers.values()) for (const w of set) if (w.busy) return;
    const d = this.drained;
    this.drained = undefined;
    d();
  }
}
