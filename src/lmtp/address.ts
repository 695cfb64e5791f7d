// Listen addresses: `host:port` (TCP) or a unix socket path, and binding them.
import * as fs from 'node:fs';
import * as net from 'node:net';
import { resolve as resolvePath } from 'node:path';

export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** `127.0.0.1:2424`, `[::1]:2424`, `:2424` (all interfaces), or a path (contains `/`). */
export function parseListen(text: string, base = process.cwd()): ListenAddress {
  if (text.includes('/') || text.endsWith('.sock')) return { kind: 'unix', path: resolvePath(base, text) };
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (!m) throw new Error(`listen address "${text}": expected host:port or a unix socket path`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`listen address "${text}": port out of range`);
  return { kind: 'tcp', host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function formatListen(a: ListenAddress): string {
  if (a.kind === 'unix') return a.path;
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * A unix socket path left behind by a previous run is removed before binding, but only if
 * it is a socket nobody answers on (never a regular file, never a live server).
 */
export async function clearStaleSocket(path: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const c = net.connect(path);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`${path}: another server is listening there`);
  fs.unlinkSync(path);
}

/** Starts `server` on `a`; unix sockets are made connectable by everyone (the MTA's user). */
export async function listenOn(server: net.Server, a: ListenAddress): Promise<string> {
  if (a.kind === 'unix') await clearStaleSocket(a.path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (a.kind === 'unix') server.listen(a.path, done);
    else server.listen(a.port, a.host, done);
  });
  if (a.kind === 'unix') {
    fs.chmodSync(a.path, 0o666);
    return a.path;
  }
  const addr = server.address() as net.AddressInfo;
  return formatListen({ kind: 'tcp', host: a.host, port: addr.port });
}

/**
 * A listening socket whose connections arrive paused (nothing is read from them), for the
 * supervisor, which passes them on to the unprivileged listener process. A failed accept()
 * (EMFILE under a flood of connections) is reported to `onError` and the socket keeps
 * listening: unhandled, it would be an uncaught exception in a root process.
 */
export async function bindSocket(
  a: ListenAddress,
  onConnection: (socket: net.Socket) => void,
  onError: (err: Error) => void,
): Promise<{ server: net.Server; address: string }> {
  const server = net.createServer({ pauseOnConnect: true }, onConnection);
  const address = await listenOn(server, a);
  server.on('error', onError);
  return { server, address };
}
