// startLmtpd(): the whole LMTP daemon as one call, for `sluice lmtpd`, `sluice serve`, tests
// and the benchmark.
//
// Processes (when started as root):
//   supervisor (this process, root): binds the sockets, looks users up, forks the workers
//   listener (uid `listenerUser`, default nobody): gets the bound sockets, speaks LMTP, and
//     sends each recipient's message straight to a worker of that user (dispatch.ts)
//   workers (one or a few per user, that user's uid/gid/groups): run the rc through the engine
// Not root: the listener runs inside this process and every user must be this process's uid.
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as os from 'node:os';
import { LMTP_MAX_CLIENTS, LMTP_MAX_RECIPIENTS } from '../limits.ts';
import { bindSocket, formatListen, parseListen, type ListenAddress } from './address.ts';
import { Dispatcher } from './dispatch.ts';
import type { ListenerRequest, ListenerSettings, LogEntry, SupervisorToListener } from './ipc.ts';
import { LmtpListener } from './listener.ts';
import { createLogger, stderrLogOf, type Logger } from './log.ts';
import { DeliveryService, type ServiceOptions } from './service.ts';
import { sluiceEntry } from './spawn.ts';
import { parseSystemUsers } from './users.ts';

export interface LmtpdOptions extends ServiceOptions {
  /** `host:port` (port 0 = any free port) or unix socket paths. */
  listen: string[];
  /** Seconds an idle LMTP client may keep a connection. */
  socketTimeout: number;
  hostname?: string;
  /** Run LMTP in a separate unprivileged process. Default: when running as root. */
  separateListener?: boolean;
  /** The listener process's user when root (default nobody). */
  listenerUser?: string;
  /** Recipients per LMTP transaction (default LMTP_MAX_RECIPIENTS). */
  maxRecipients?: number;
  /** Connections per listen address at once (default LMTP_MAX_CLIENTS). */
  maxClients?: number;
  logger?: Logger;
}

export const LMTPD_DEFAULTS = {
  systemUsers: true,
  recipientDelimiter: '+',
  firstValidUid: 1,
  workersPerUser: 4,
  workerIdleSeconds: 120,
  // below Postfix's lmtp_data_done_timeout (600 s), so that we answer 4xx before it gives up
  deliveryTimeoutSeconds: 300,
  maxMessageSize: 50 * 1024 * 1024,
  socketTimeout: 300,
} as const;

export interface LmtpdHandle {
  /** The addresses really listened on (a port 0 resolved), in `listen` order. */
  readonly addresses: string[];
  /** SIGHUP: new settings (listen addresses added/removed, users re-read); open sessions stay. */
  reload(opts?: LmtpdOptions): Promise<void>;
  /** SIGTERM: stop accepting, answer every delivery in progress, stop the workers. */
  close(): Promise<void>;
  /** Pids of the worker processes alive now. */
  workerPids(): number[];
  /** Pid of the separate listener process, if any. */
  readonly listenerPid: number | undefined;
}

function settingsOf(o: LmtpdOptions): ListenerSettings {
  return {
    maxMessageSize: o.maxMessageSize,
    maxRecipients: o.maxRecipients ?? LMTP_MAX_RECIPIENTS,
    maxClients: o.maxClients ?? LMTP_MAX_CLIENTS,
    hostname: o.hostname ?? os.hostname(),
    socketTimeout: o.socketTimeout,
    workersPerUser: o.workersPerUser,
    workerIdleSeconds: o.workerIdleSeconds,
    deliveryTimeoutSeconds: o.deliveryTimeoutSeconds,
  };
}

function keyed(listen: string[]): Map<string, ListenAddress> {
  const m = new Map<string, ListenAddress>();
  for (const text of listen) {
    const a = parseListen(text);
    m.set(formatListen(a), a);
  }
  return m;
}

export async function startLmtpd(options: LmtpdOptions): Promise<LmtpdHandle> {
  const log = options.logger ?? createLogger();
  const service = new DeliveryService(options, log);
  const root = process.getuid?.() === 0;
  const separate = options.separateListener ?? root;
  let front: Front | undefined;
  try {
    front = separate ? await ListenerProcess.start(options, service, log) : new InProcessFront(options, service, log);
    const addresses = await front.sync(keyed(options.listen), settingsOf(options));
    log.info({ listen: addresses, separateListener: separate, root }, 'lmtpd ready');
    let current = addresses;
    return {
      get addresses() {
        return current;
      },
      get listenerPid() {
        return front!.pid;
      },
      async reload(opts?: LmtpdOptions) {
        const o = opts ?? options;
        service.reconfigure(o);
        current = await front!.sync(keyed(o.listen), settingsOf(o));
        front!.retire();
        log.info({ listen: current }, 'lmtpd reloaded');
      },
      async close() {
        await front!.close();
        await service.close();
        log.info('lmtpd stopped');
      },
      workerPids: () => service.workerPids,
    };
  } catch (err) {
    await front?.close();
    await service.close();
    throw err;
  }
}

/** Where LMTP is spoken: in this process, or in the listener process. */
interface Front {
  readonly pid: number | undefined;
  /** Makes the set of listening addresses equal `wanted`; returns the real addresses in order. */
  sync(wanted: Map<string, ListenAddress>, settings: ListenerSettings): Promise<string[]>;
  /** Reload: workers are replaced after their current delivery, lookups asked again. */
  retire(): void;
  close(): Promise<void>;
}

class InProcessFront implements Front {
  private readonly listener: LmtpListener;
  private readonly dispatcher: Dispatcher;
  private readonly bound = new Map<string, string>();
  readonly pid = undefined;

  constructor(options: LmtpdOptions, service: DeliveryService, log: Logger) {
    const write = (e: LogEntry) => log[e.level](e.fields ?? {}, e.msg);
    this.dispatcher = new Dispatcher(
      { lookup: (a) => service.lookup(a), open: (k) => service.open(k), kill: (pid, why) => service.kill(pid, why), log: write },
      settingsOf(options),
    );
    service.onWorkerExit = (pid, why) => this.dispatcher.workerExited(pid, why);
    this.listener = new LmtpListener(this.dispatcher, settingsOf(options), (level, msg, fields) => write({ level, msg, fields }));
  }

  retire(): void {
    this.dispatcher.retireAll();
  }

  async sync(wanted: Map<string, ListenAddress>, settings: ListenerSettings): Promise<string[]> {
    this.listener.configure(settings);
    this.dispatcher.configure(settings);
    for (const key of [...this.bound.keys()]) {
      if (!wanted.has(key)) {
        await this.listener.unlisten(key);
        this.bound.delete(key);
      }
    }
    for (const [key, a] of wanted) {
      if (!this.bound.has(key)) this.bound.set(key, await this.listener.listen(key, a));
    }
    return [...wanted.keys()].map((k) => this.bound.get(k)!);
  }

  async close(): Promise<void> {
    await this.listener.close();
    this.dispatcher.close();
  }
}

/**
 * The unprivileged listener process and the IPC that serves it. The supervisor keeps the
 * listening sockets (so that it can bind privileged ports and unix sockets anywhere, and so
 * that a restarted listener finds them still open) and passes every accepted connection,
 * unread, to the listener: root never parses a byte from the network.
 */
class ListenerProcess implements Front {
  private child!: ChildProcess;
  private readonly bound = new Map<string, { server: net.Server; real: string }>();
  private closing: (() => void) | undefined;
  private settings: ListenerSettings;
  private readonly identity: { uid: number; gid: number };

  private constructor(options: LmtpdOptions, private readonly service: DeliveryService, private readonly log: Logger) {
    this.settings = { ...settingsOf(options), log: stderrLogOf(log) };
    this.identity = listenerIdentity(options.listenerUser ?? 'nobody');
    service.onWorkerExit = (pid, why) => void this.send({ type: 'worker-exit', pid, why });
  }

  retire(): void {
    this.send({ type: 'retire' });
  }

  static async start(options: LmtpdOptions, service: DeliveryService, log: Logger): Promise<ListenerProcess> {
    const p = new ListenerProcess(options, service, log);
    await p.spawn();
    return p;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private spawn(): Promise<void> {
    const entry = sluiceEntry();
    const { uid, gid } = this.identity;
    const child = fork(entry.modulePath, ['lmtp-listener', '--uid', String(uid), '--gid', String(gid), '--groups', String(gid)], {
      execArgv: entry.execArgv,
      cwd: entry.cwd,
      env: { PATH: '/usr/bin:/bin', ...(process.env.TZ !== undefined ? { TZ: process.env.TZ } : {}) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    // failed sends are handled at send(); what is left (the fork itself failed) is logged,
    // and the missing 'exit' or 'ready' decides what happens next
    child.on('error', (err) => this.log.error({ err: err.message }, 'lmtp listener process error'));
    return new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`lmtp listener exited during start-up (status ${code})`));
      child.once('exit', onExit);
      child.on('message', (msg: ListenerRequest) => {
        if (msg.type === 'ready') {
          child.off('exit', onExit);
          child.on('exit', (code, signal) => this.onExit(code, signal));
          this.send({ type: 'settings', settings: this.settings });
          for (const key of this.bound.keys()) this.send({ type: 'listen', key, settings: this.settings });
          resolve();
          return;
        }
        this.onMessage(msg);
      });
    });
  }

  private send(msg: SupervisorToListener, handle?: net.Socket): boolean {
    if (!this.child.connected) return false;
    // The channel can break between the check and the write (the listener is exiting): a
    // send without a callback would then throw EPIPE from nowhere and take root down. The
    // listener's exit is handled on its own; a connection we were passing on is closed.
    this.child.send(msg, handle, (err) => {
      if (!err) return;
      handle?.destroy();
      this.log.debug({ err: err.message, what: msg.type }, 'message to the lmtp listener not sent');
    });
    return true;
  }

  private onMessage(msg: ListenerRequest): void {
    switch (msg.type) {
      case 'lookup':
        void this.service.lookup(msg.address).then((answer) => this.send({ type: 'lookup-answer', id: msg.id, answer }));
        return;
      case 'open':
        this.service.open(msg.key).then(
          ({ pid, socket }) => {
            if (!this.send({ type: 'channel', id: msg.id, pid }, socket)) socket.destroy();
          },
          (err: unknown) => this.send({ type: 'channel-failed', id: msg.id, error: err instanceof Error ? err.message : String(err) }),
        );
        return;
      case 'kill':
        this.service.kill(msg.pid, msg.why);
        return;
      case 'log':
        this.log[msg.entry.level](msg.entry.fields ?? {}, msg.entry.msg);
        return;
      case 'closed':
        this.closing?.();
        return;
      default:
        return;
    }
  }

  /** The listener died (a bug, or killed): its sessions are lost (the MTA retries); start a new one. */
  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.closing) return this.closing();
    this.log.error({ code, signal }, 'lmtp listener died; restarting it');
    void this.spawn().catch((err: unknown) => this.log.fatal({ err: String(err) }, 'cannot restart the lmtp listener'));
  }

  private accept(key: string, socket: net.Socket): void {
    // paused since accept: not one byte is read here
    if (!this.send({ type: 'socket', key }, socket)) socket.destroy();
  }

  async sync(wanted: Map<string, ListenAddress>, next: ListenerSettings): Promise<string[]> {
    const settings: ListenerSettings = { ...next, log: this.settings.log };
    this.settings = settings;
    this.send({ type: 'settings', settings });
    for (const [key, b] of [...this.bound]) {
      if (!wanted.has(key)) {
        this.bound.delete(key);
        b.server.close();
        this.send({ type: 'unlisten', key });
      }
    }
    for (const [key, a] of wanted) {
      if (this.bound.has(key)) continue;
      this.send({ type: 'listen', key, settings });
      const { server, address } = await bindSocket(
        a,
        (socket) => this.accept(key, socket),
        (err) => this.log.warn({ listen: key, err: err.message }, 'accept failed'),
      );
      this.bound.set(key, { server, real: address });
    }
    return [...wanted.keys()].map((k) => this.bound.get(k)!.real);
  }

  async close(): Promise<void> {
    // stop accepting; (a server whose connections were passed on only reports 'close' once
    // the listener has closed them, so it is not waited for here)
    for (const b of this.bound.values()) b.server.close();
    this.bound.clear();
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || !this.child.connected) return resolve();
      this.closing = resolve;
      this.send({ type: 'close' });
    });
    this.closing = () => undefined;
  }
}

function listenerIdentity(name: string): { uid: number; gid: number } {
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const users = parseSystemUsers(fs.readFileSync('/etc/passwd', 'utf8'), '');
  const u = users.get(name);
  if (!u) throw new Error(`listener user "${name}" not found in /etc/passwd`);
  if (u.uid === 0) throw new Error(`listener user "${name}" is root: the network side must not be privileged`);
  return { uid: u.uid, gid: u.gid };
}

export { formatListen, parseListen };
