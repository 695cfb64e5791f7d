// Resident per-user workers, the supervisor's side. A worker is forked for one user, drops to
// that user's uid/gid/groups, and then gets its end of a socket pair whose other end goes to
// the listener: from then on the listener sends it deliveries directly, one at a time, and
// lets it go (closes the channel) when idle or on reload. Root keeps only what needs root:
// starting workers, killing one that overran its delivery, and noticing how each one ended.
import { fork, type ChildProcess } from 'node:child_process';
import type * as net from 'node:net';
import { createInterface } from 'node:readline';
import type { FromWorker, ToWorker, WorkerInit } from './ipc.ts';
import { SocketPairs } from './socketpair.ts';
import { sluiceEntry } from './spawn.ts';
import type { MailUser } from './users.ts';

/** Seconds a worker told to leave may take before it is killed (stuck in a program). */
const EXIT_GRACE_SECONDS = 5;

export interface SpawnerOptions {
  /** Environment of worker processes (the engine builds the rc's environment itself). */
  env: Record<string, string>;
  /** A line a worker wrote to stderr (procmail diagnostics without LOGFILE, program stderr). */
  onStderr(user: MailUser, pid: number, line: string): void;
  /** Worker lifecycle events worth a log line. */
  onEvent(event: 'spawn' | 'exit' | 'timeout', user: MailUser, fields: Record<string, unknown>): void;
  /** A worker ended: `why` is what its delivery in progress (if any) is answered with. */
  onExit(pid: number, why: string): void;
}

export interface OpenedWorker {
  pid: number;
  /** The listener's end of the worker's channel. */
  socket: net.Socket;
}

interface Live {
  child: ChildProcess;
  user: MailUser;
  exited: Promise<void>;
}

export class WorkerSpawner {
  private readonly live = new Map<number, Live>();
  private readonly pairs = new SocketPairs();

  constructor(private readonly opts: SpawnerOptions) {}

  /** Starts a worker for `init.user` and returns the listener's end of its channel. */
  async open(init: WorkerInit): Promise<OpenedWorker> {
    const { user } = init;
    const entry = sluiceEntry();
    const groups = user.groups.length ? user.groups : [user.gid];
    const child = fork(entry.modulePath, ['worker', '--uid', String(user.uid), '--gid', String(user.gid), '--groups', groups.join(',')], {
      execArgv: entry.execArgv,
      cwd: entry.cwd,
      env: this.opts.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const pid = child.pid ?? 0;
    if (child.stderr) createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => this.opts.onStderr(user, pid, line));
    let why = '';
    const exited = new Promise<void>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        if (why) return;
        why = signal ? `worker killed by ${signal}` : `worker exited with status ${code}`;
        this.live.delete(pid);
        this.opts.onEvent('exit', user, { pid, why });
        this.opts.onExit(pid, why);
        resolve();
      };
      child.once('exit', done);
      // sends report their own failures (below); an 'error' here is a fork that never ran
      // (no pid, no 'exit' to come) or a failed kill of a live process (its exit will come)
      child.on('error', () => {
        if (child.pid === undefined) done(null, null);
      });
    });
    this.live.set(pid, { child, user, exited });
    this.opts.onEvent('spawn', user, { pid });

    await new Promise<void>((resolve, reject) => {
      child.once('message', (msg: FromWorker) => (msg.type === 'ready' ? resolve() : reject(new Error('worker did not start'))));
      void exited.then(() => reject(new Error(`worker could not start (${why})`)));
    });
    let pair: [net.Socket, net.Socket];
    try {
      pair = await this.pairs.make();
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    const [workerEnd, listenerEnd] = pair;
    const msg: ToWorker = { type: 'init', init };
    try {
      await new Promise<void>((resolve, reject) => child.send(msg, workerEnd, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      // the worker went away before it got its channel: nobody will ever answer on it
      workerEnd.destroy();
      listenerEnd.destroy();
      child.kill('SIGKILL');
      throw err;
    }
    return { pid, socket: listenerEnd };
  }

  /** Kills a worker that overran its delivery (the listener has answered 4xx already). */
  kill(pid: number, why: string): void {
    const w = this.live.get(pid);
    if (!w) return;
    this.opts.onEvent('timeout', w.user, { pid, why });
    w.child.kill('SIGKILL');
  }

  /** Workers alive for the user with this login name. */
  countFor(name: string): number {
    let n = 0;
    for (const w of this.live.values()) if (w.user.name === name) n++;
    return n;
  }

  pids(): number[] {
    return [...this.live.keys()];
  }

  /** Tells every worker to leave after its current delivery and waits until all have. */
  async close(): Promise<void> {
    await Promise.all([...this.live.values()].map((w) => {
      const stop: ToWorker = { type: 'exit' };
      // a worker gone already cannot be told: its exit is on the way (or the timer kills it)
      if (w.child.connected) w.child.send(stop, () => undefined);
      const timer = setTimeout(() => w.child.kill('SIGKILL'), EXIT_GRACE_SECONDS * 1000);
      timer.unref();
      return w.exited.then(() => clearTimeout(timer));
    }));
    this.pairs.close();
  }
}
