// `sluice lmtp-listener` (hidden): the network-facing process of lmtpd when it runs as root.
// It drops to an unprivileged uid at once, receives already bound sockets from the
// supervisor, speaks LMTP, and asks the supervisor (over IPC) for lookups and deliveries.
import type * as net from 'node:net';
import type { ListenerRequest, ListenerSettings, LookupAnswer, RecipientReply, SupervisorToListener } from './ipc.ts';
import { LmtpListener, type DeliverRequest, type LmtpBackend } from './listener.ts';
import { dropPrivileges, parseWorkerArgs } from './worker.ts';

class IpcBackend implements LmtpBackend {
  private next = 1;
  private readonly waiting = new Map<number, (value: unknown) => void>();

  request(msg: ListenerRequest): void {
    process.send?.(msg);
  }

  answer(id: number, value: unknown): void {
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    w?.(value);
  }

  private call<T>(build: (id: number) => ListenerRequest): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve) => {
      this.waiting.set(id, resolve as (value: unknown) => void);
      this.request(build(id));
    });
  }

  lookup(address: string): Promise<LookupAnswer> {
    return this.call((id) => ({ type: 'lookup', id, address }));
  }

  deliver(req: DeliverRequest): Promise<RecipientReply[]> {
    return this.call((id) => ({ type: 'deliver', id, ...req }));
  }

  /** The supervisor went away: every open question gets "try again later". */
  failAll(): void {
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w({ status: 'tempfail', text: 'Delivery service unavailable' });
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const id = parseWorkerArgs(argv);
  if (!id || !process.send) {
    process.stderr.write('sluice lmtp-listener: internal command of sluice lmtpd\n');
    return 64;
  }
  try {
    dropPrivileges(id);
  } catch (err) {
    process.stderr.write(`sluice lmtp-listener: ${err instanceof Error ? err.message : String(err)}\n`);
    return 75;
  }
  const backend = new IpcBackend();
  let listener: LmtpListener | undefined;
  const log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) =>
    backend.request({ type: 'log', level, msg, fields });
  const ensure = (settings: ListenerSettings) => (listener ??= new LmtpListener(backend, settings, log));

  await new Promise<void>((resolve) => {
    process.on('message', (msg: SupervisorToListener, handle?: net.Socket) => {
      switch (msg.type) {
        case 'lookup-answer':
          return backend.answer(msg.id, msg.answer);
        case 'deliver-answer':
          return backend.answer(msg.id, msg.replies);
        case 'settings':
          return ensure(msg.settings).configure(msg.settings);
        case 'listen':
          ensure(msg.settings).listen(msg.key, 'adopted').then(
            (address) => backend.request({ type: 'listening', key: msg.key, address }),
            (err: unknown) => backend.request({ type: 'listen-failed', key: msg.key, error: String(err) }),
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
          void (listener?.close() ?? Promise.resolve()).then(() => {
            backend.request({ type: 'closed' });
            resolve();
          });
          return;
      }
    });
    process.on('disconnect', () => {
      backend.failAll();
      void (listener?.close() ?? Promise.resolve()).then(() => resolve());
    });
    backend.request({ type: 'ready' });
  });
  // deliveries were answered through the channel; leave once it is drained, and do not wait
  // for clients that keep a half-closed connection open after our 421
  process.disconnect?.();
  setTimeout(() => process.exit(0), 2000).unref();
  return 0;
}
