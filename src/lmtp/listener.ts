// The LMTP front (RFC 2033) on smtp-server: LHLO, MAIL, RCPT (each recipient looked up at
// once: unknown -> 550 5.1.1), DATA, then one reply per accepted recipient, in RCPT order,
// each sent only when that recipient's delivery has answered. This side holds no mailbox
// privileges: it asks a backend (dispatch.ts) for lookups and deliveries.
import { randomFillSync } from 'node:crypto';
import type * as net from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { listenOn, type ListenAddress } from './address.ts';
import type { ListenerSettings, LookupAnswer, RecipientReply } from './ipc.ts';
import { replyError } from './replies.ts';

export interface DeliverRequest {
  queueId: string;
  sender: string;
  recipients: string[];
  data: Buffer;
  session: { remote: string; local: string };
}

export interface LmtpBackend {
  lookup(address: string): Promise<LookupAnswer>;
  deliver(req: DeliverRequest): Promise<RecipientReply[]>;
}

// smtp-server holds every new connection for 100 ms before its greeting, to catch "early
// talkers" (spam bots that speak first). Our LMTP peer is the local MTA, and that pause cost
// 100 ms per connection (0.11x Dovecot with a connection per message). Greet at once.
{
  type Internals = {
    _setListeners(cb: () => void): void;
    connectionReady(): void;
    send(code: number, text: string, keep?: boolean): void;
    name: string;
    _server: { options: { maxClients?: number }; connections: Set<unknown> };
  };
  const proto = SMTPConnection.prototype as unknown as Internals & { init(): void; _socket?: net.Socket };
  proto.init = function (this: Internals) {
    this._setListeners(() => {
      const max = this._server.options.maxClients;
      if (max && this._server.connections.size > max) {
        this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
        return;
      }
      this.connectionReady();
    });
  };
  // An MTA pipelines MAIL, RCPT and DATA (LMTP requires PIPELINING), and a message with several
  // recipients gets one reply each after DATA: replies produced in one turn of the event loop
  // go out in one write instead of one system call (and one wake-up of the peer) each.
  const send = proto.send;
  proto.send = function (this: Internals & { _socket?: net.Socket }, code: number, text: string, keep?: boolean) {
    const socket = this._socket;
    if (socket && socket.writableCorked === 0 && !socket.destroyed) {
      socket.cork();
      setImmediate(() => socket.uncork());
    }
    send.call(this, code, text, keep);
  };
}

/** The part of smtp-server's (untyped) connection object that close() uses. */
interface SessionHandle {
  session: { id: string };
  send(code: number, text: string): void;
  close(): void;
}

export interface ListenerLog {
  (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
}

// Queue ids come from a pool of random bytes filled a few hundred ids at a time: one
// randomBytes() call per message was a visible share of the listener's time per message.
const ID_BYTES = 5;
const idPool = Buffer.alloc(ID_BYTES * 512);
let idNext = idPool.length;

/** A Postfix-like queue id: 10 upper-case hex digits, unique enough for log correlation. */
export function newQueueId(): string {
  if (idNext + ID_BYTES > idPool.length) {
    randomFillSync(idPool);
    idNext = 0;
  }
  idNext += ID_BYTES;
  return idPool.toString('hex', idNext - ID_BYTES, idNext).toUpperCase();
}

const CR = 0x0d;
const LF = 0x0a;

/** LMTP carries CRLF line ends; a Unix LDA gets LF (as Postfix's local(8) pipes it). */
export function crlfToLf(buf: Buffer): Buffer {
  let k = buf.indexOf(CR);
  if (k < 0) return buf;
  // one pass over the bytes: cheaper than an indexOf() and a copy per line
  const out = Buffer.allocUnsafe(buf.length);
  buf.copy(out, 0, 0, k);
  let to = k;
  const n = buf.length;
  for (; k < n; k++) {
    const c = buf[k]!;
    if (c !== CR || buf[k + 1] !== LF) out[to++] = c;
  }
  return out.subarray(0, to);
}

function describe(session: SMTPServerSession): { remote: string; local: string } {
  const remote = session.remoteAddress ? `${session.remoteAddress}:${session.remotePort}` : 'unix';
  const local = session.localAddress ? `${session.localAddress}:${session.localPort}` : 'unix';
  return { remote, local };
}

export class LmtpListener {
  private readonly servers = new Map<string, SMTPServer>();
  private settings: ListenerSettings;
  /** Deliveries handed to the backend and not answered yet, by session id. */
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(private readonly backend: LmtpBackend, settings: ListenerSettings, private readonly log: ListenerLog) {
    this.settings = settings;
  }

  /** New limits for new connections (and the SIZE check of sessions already open). */
  configure(settings: ListenerSettings): void {
    this.settings = settings;
    for (const s of this.servers.values()) {
      s.options.size = settings.maxMessageSize;
      s.options.maxRecipients = settings.maxRecipients;
      s.options.maxClients = settings.maxClients;
      s.options.name = settings.hostname;
      s.options.socketTimeout = settings.socketTimeout * 1000;
    }
  }

  private makeServer(): SMTPServer {
    const s = this.settings;
    return new SMTPServer({
      lmtp: true,
      disableReverseLookup: true,
      name: s.hostname,
      banner: 'sluice',
      size: s.maxMessageSize,
      rejectOversized: true,
      maxRecipients: s.maxRecipients,
      maxClients: s.maxClients,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      hideSTARTTLS: true,
      logger: false,
      hideENHANCEDSTATUSCODES: false,
      socketTimeout: s.socketTimeout * 1000,
      closeTimeout: 30_000,
      onRcptTo: (address, _session, callback) => {
        this.backend.lookup(address.address).then(
          (answer) => {
            if (answer.status === 'ok') return callback();
            if (answer.status === 'unknown') return callback(replyError({ code: 550, text: answer.text ?? 'No such user here' }));
            callback(replyError({ code: 451, text: answer.text ?? 'Temporary lookup failure, try again later' }));
          },
          (err: unknown) => callback(replyError({ code: 451, text: `Temporary lookup failure (${String(err)})` })),
        );
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (c: Buffer) => {
          size += c.length;
          // past the limit smtp-server answers 552 itself; keep nothing more in memory
          if (size <= this.settings.maxMessageSize) chunks.push(c);
        });
        stream.on('end', () => {
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || size > this.settings.maxMessageSize) {
            return callback(null, 'too big'); // replaced by 552 for every recipient
          }
          const mailFrom = session.envelope.mailFrom;
          const req: DeliverRequest = {
            queueId: newQueueId(),
            sender: mailFrom ? mailFrom.address : '',
            recipients,
            data: crlfToLf(Buffer.concat(chunks, size)),
            session: describe(session),
          };
          const p = this.backend.deliver(req).then(
            (replies) => callback(null, replies.map((r) => (r.code >= 200 && r.code < 300 ? r.text : replyError(r)))),
            (err: unknown) => {
              this.log('error', 'delivery failed', { qid: req.queueId, err: String(err) });
              callback(replyError({ code: 451, text: `${req.queueId} Internal error, try again later` }));
            },
          );
          this.inflight.set(session.id, p);
          void p.finally(() => this.inflight.delete(session.id));
        });
      },
    });
  }

  /**
   * Starts serving `key`: binds `target` itself (in-process mode), or with 'adopted' only
   * prepares for connections the supervisor accepts and hands over (see adopt()).
   */
  async listen(key: string, target: ListenAddress | 'adopted'): Promise<string> {
    const server = this.makeServer();
    server.on('error', (err) => this.log('warn', 'connection error', { listen: key, err: err.message }));
    const address = target === 'adopted' ? key : await listenOn(server.server, target);
    this.servers.set(key, server);
    return address;
  }

  /** A connection the supervisor accepted on `key` and passed to this process. */
  adopt(key: string, socket: net.Socket): void {
    const server = this.servers.get(key);
    if (!server) return void socket.destroy();
    server.server.emit('connection', socket);
  }

  /** Stops accepting on one address; its open sessions continue. */
  async unlisten(key: string): Promise<void> {
    const server = this.servers.get(key);
    if (!server) return;
    this.servers.delete(key);
    await this.stopAccepting(key, server);
  }

  private stopAccepting(_key: string, server: SMTPServer): Promise<void> {
    // (not listening at all when connections are adopted: close() then just calls back)
    return new Promise<void>((resolve) => server.server.close(() => resolve()));
  }

  get addresses(): string[] {
    return [...this.servers.keys()];
  }

  /**
   * Stops accepting, lets open sessions finish (up to closeTimeout, then 421), and waits for
   * deliveries already handed to the backend to be answered.
   */
  async close(): Promise<void> {
    const all = [...this.servers.values()];
    const closed = [...this.servers].map(([key, s]) => this.stopAccepting(key, s));
    this.servers.clear();
    // an idle session (the MTA caches LMTP connections) is told 421 at once; a session whose
    // message is being delivered gets its replies first
    for (const s of all) {
      for (const conn of (s as unknown as { connections: Set<SessionHandle> }).connections) {
        const bye = () => {
          conn.send(421, 'sluice shutting down');
          conn.close();
        };
        const p = this.inflight.get(conn.session.id);
        if (p) void p.finally(bye);
        else bye();
      }
    }
    await Promise.all([...closed, ...this.inflight.values()]);
  }
}
