// `sluice lmtp-listener` (hidden): the network-facing process of lmtpd when it runs as root.
// It drops to an unprivileged uid at once, receives already bound sockets from the
// supervisor, speaks LMTP, asks the supervisor (over IPC) for lookups and for workers, and
// sends each message straight to a worker of the recipient's user over the channel the
// supervisor set up between them.
import type * as net from 'node:net';
import { Dispatcher, type SupervisorLink } from './dispatch.ts';
import type { ListenerRequest, ListenerSettings, LogEntry, LookupAnswer, SupervisorToListener } from './ipc.ts';
import { LmtpListener } from './listener.ts';
import { createLogger, type Logger } from './log.ts';
import { becomeFromArgs } from './worker.ts';

type Waiter = { resolve(value: unknown): void; reject(err: Error): void };

class IpcLink implements SupervisorLink {
  private next = 1;
  private readonly waiting = new Map<number, Waiter>();

  request(msg: ListenerRequest): void {
    // a supervisor that went away cannot be told anything: the listener ends on 'disconnect'
    if (process.connected) process.send?.(msg, () => undefined);
  }

  settle(id: number, value: unknown, error?: string): void {
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    if (error === undefined) w?.resolve(value);
    else w?.reject(new Error(error));
  }

  private call<T>(build: (id: number) => ListenerRequest): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.request(build(id));
    });
  }

  lookup(address: string): Promise<LookupAnswer> {
    return this.call((id) => ({ type: 'lookup', id, address }));
  }

  open(key: string): Promise<{ pid: number; socket: net.Socket }> {
    return this.call((id) => ({ type: 'open', id, key }));
  }

  kill(pid: number, why: string): void {
    this.request({ type: 'kill', pid, why });
  }

  /** Set when the supervisor logs to the stderr we share: then lines are written here. */
  direct: Logger | undefined;

  /** Log lines go out before the reply they are about: written here, or sent to the supervisor's logger. */
  log(entry: LogEntry): void {
    if (this.direct) this.direct[entry.level](entry.fields ?? {}, entry.msg);
    else this.request({ type: 'log', entry });
  }

  /** The supervisor went away: every open question gets "try again later". */
  failAll(): void {
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.reject(new Error('Delivery service unavailable'));
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const failed = becomeFromArgs(argv, 'lmtp-listener');
  if (failed !== null) return failed;
  const link = new IpcLink();
  let listener: LmtpListener | undefined;
  let dispatcher: Dispatcher | undefined;
  const ensure = (settings: ListenerSettings) => {
    dispatcher ??= new Dispatcher(link, settings);
    return (listener ??= new LmtpListener(dispatcher, settings, (level, msg, fields) => link.log({ level, msg, fields })));
  };
  const shutdown = async () => {
    await listener?.close();
    dispatcher?.close();
  };

  await new Promise<void>((resolve) => {
    process.on('message', (msg: SupervisorToListener, handle?: net.Socket) => {
      switch (msg.type) {
        case 'lookup-answer':
          return link.settle(msg.id, msg.answer);
        case 'channel':
          if (!handle) return link.settle(msg.id, undefined, 'no channel received');
          return link.settle(msg.id, { pid: msg.pid, socket: handle });
        case 'channel-failed':
          return link.settle(msg.id, undefined, msg.error);
        case 'worker-exit':
          return dispatcher?.workerExited(msg.pid, msg.why);
        case 'retire':
          return dispatcher?.retireAll();
        case 'settings':
          if (msg.settings.log && !link.direct) link.direct = createLogger(msg.settings.log.level, msg.settings.log.name);
          ensure(msg.settings).configure(msg.settings);
          dispatcher!.configure(msg.settings);
          return;
        case 'listen':
          ensure(msg.settings).listen(msg.key, 'adopted').then(
            (address) => link.request({ type: 'listening', key: msg.key, address }),
            (err: unknown) => link.request({ type: 'listen-failed', key: msg.key, error: String(err) }),
          );
          return;
        case 'socket':
          if (handle && listener) listener.adopt(msg.key, handle);
          else handle?.destroy();
          return;
        case 'unlisten':
          void listener?.unlisten(msg.key);
          return;
        case 'close':
          void shutdown().then(() => {
            link.request({ type: 'closed' });
            resolve();
          });
          return;
      }
    });
    process.on('disconnect', () => {
      link.failAll();
      void shutdown().then(() => resolve());
    });
    link.request({ type: 'ready' });
  });
  // deliveries were answered through the channel; leave once it is drained, and do not wait
  // for clients that keep a half-closed connection open after our 421
  process.disconnect?.();
  setTimeout(() => process.exit(0), 2000).unref();
  return 0;
}
