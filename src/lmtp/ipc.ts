// Messages between the three kinds of process (all over Node's IPC channel, 'advanced'
// serialization so that message bytes travel as binary, not JSON):
//
//   listener (unprivileged, speaks LMTP)  <->  supervisor (root, no network parsing)
//   supervisor  <->  worker (one per user, runs the engine as that user)
import type { MailUser } from './users.ts';

/** One recipient's delivery, as the supervisor hands it to a worker. */
export interface DeliveryJob {
  id: number;
  queueId: string;
  /** Envelope sender ('' for the null sender <>). */
  sender: string;
  /** Envelope recipient as given in RCPT TO. */
  recipient: string;
  user: MailUser;
  /** Positional arguments ($1...): the address extension, like `procmail -a $EXTENSION`. */
  args: string[];
  /** Tried when the user has no readable $HOME/.procmailrc. */
  systemRc?: string;
  /** Login name of the daemon's own user: From_ lines are generated in its name, like procmail -d. */
  invoker: string;
  /** The message with LF line ends (what Postfix's local(8) would pipe to procmail). */
  data: Uint8Array;
}

/** A worker's answer for one job. */
export interface DeliveryResult {
  id: number;
  exitCode: number;
  /** LASTFOLDER after the run ('' when nothing was delivered). */
  folder: string;
  /** Bytes written to the first folder of the last successful delivery. */
  bytes: number;
  noSpace: boolean;
  /** Milliseconds the engine ran. */
  ms: number;
}

export type ToWorker = { type: 'deliver'; job: DeliveryJob } | { type: 'exit' };
export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'result'; result: DeliveryResult }
  | { type: 'failed'; id: number; error: string };

/** What the listener asks of the supervisor. */
export type ListenerRequest =
  | { type: 'lookup'; id: number; address: string }
  | {
      type: 'deliver';
      id: number;
      queueId: string;
      sender: string;
      recipients: string[];
      data: Uint8Array;
      session: { remote: string; local: string };
    }
  | { type: 'ready' }
  | { type: 'listening'; key: string; address: string }
  | { type: 'listen-failed'; key: string; error: string }
  | { type: 'closed' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> };

export interface LookupAnswer {
  /** 'ok': deliverable; 'unknown': 550 5.1.1; 'tempfail': 451 (file unreadable, not root...). */
  status: 'ok' | 'unknown' | 'tempfail';
  text?: string;
}

/** Reply for one recipient, in RCPT order. */
export interface RecipientReply {
  code: number;
  text: string;
}

export type SupervisorToListener =
  | { type: 'lookup-answer'; id: number; answer: LookupAnswer }
  | { type: 'deliver-answer'; id: number; replies: RecipientReply[] }
  | { type: 'listen'; key: string; settings: ListenerSettings }
  | { type: 'unlisten'; key: string }
  /** A connection the supervisor accepted on `key` (the socket travels as the message's handle). */
  | { type: 'socket'; key: string }
  | { type: 'settings'; settings: ListenerSettings }
  | { type: 'close' };

/** What the LMTP side needs to know (sent again on reload). */
export interface ListenerSettings {
  /** Largest message accepted (bytes); larger ones get 552. */
  maxMessageSize: number;
  /** Host name in the greeting and LHLO reply. */
  hostname: string;
  /** Seconds an idle client may wait between commands. */
  socketTimeout: number;
}

/** Uint8Array (what structured clone delivers) back to a Buffer without copying. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
