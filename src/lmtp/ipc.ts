// Messages between the three kinds of process:
//
//   listener (unprivileged, speaks LMTP)  <->  supervisor (root, no network parsing)
//       lookups, "open a worker for user U", kills, log lines (Node IPC, 'advanced' serialization)
//   supervisor  <->  worker (one per user and channel, runs the engine as that user)
//       start-up only: the user, and the worker's end of a socket pair (Node IPC)
//   listener  <->  worker, over that socket pair (frames.ts)
//       one DeliveryJob (and its message) at a time, one answer each: message bytes never
//       pass through root
import type { StderrLog } from './log.ts';
import type { MailUser } from './users.ts';

/**
 * One recipient's delivery, as the listener hands it to a worker of that user. The message
 * itself (LF line ends, what Postfix's local(8) would pipe to procmail) travels beside it, as
 * the body of the job's frame.
 */
export interface DeliveryJob {
  id: number;
  queueId: string;
  /** Envelope sender ('' for the null sender <>). */
  sender: string;
  /** Envelope recipient as given in RCPT TO. */
  recipient: string;
  /** Positional arguments ($1...): the address extension, like `procmail -a $EXTENSION`. */
  args: string[];
}

/** Who a worker delivers for: fixed by the supervisor when it starts the worker. */
export interface WorkerInit {
  user: MailUser;
  /** Tried when the user has no readable $HOME/.procmailrc. */
  systemRc?: string;
  /** Login name of the daemon's own user: From_ lines are generated in its name, like procmail -d. */
  invoker: string;
  /** Largest frame the worker accepts from the listener (bytes). */
  maxFrame: number;
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

/** Supervisor -> worker (IPC): its identity and channel (the socket travels as the handle), or leave. */
export type ToWorker = { type: 'init'; init: WorkerInit } | { type: 'exit' };
/** Worker -> supervisor (IPC): privileges dropped, ready for its channel. */
export type FromWorker = { type: 'ready'; pid: number };
/** Worker -> listener (channel). */
export type WorkerAnswer = { type: 'result'; result: DeliveryResult } | { type: 'failed'; id: number; error: string };

/** What the listener asks of the supervisor. */
export type ListenerRequest =
  | { type: 'lookup'; id: number; address: string }
  /** A new worker (and channel) for the user `key` of an 'ok' lookup. */
  | { type: 'open'; id: number; key: string }
  /** The worker overran its delivery: kill it (only root can). */
  | { type: 'kill'; pid: number; why: string }
  | { type: 'ready' }
  | { type: 'listening'; key: string; address: string }
  | { type: 'listen-failed'; key: string; error: string }
  | { type: 'closed' }
  | { type: 'log'; entry: LogEntry };

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields?: Record<string, unknown>;
}

export interface LookupAnswer {
  /** 'ok': deliverable; 'unknown': 550 5.1.1; 'tempfail': 451 (file unreadable, not root...). */
  status: 'ok' | 'unknown' | 'tempfail';
  text?: string;
  /** ok: which workers deliver for this recipient (one user, as the passwd entry is now). */
  key?: string;
  /** ok: the user's login name (for the log). */
  user?: string;
  /** ok: $1... for the rc (the address extension). */
  args?: string[];
}

/** Reply for one recipient, in RCPT order. */
export interface RecipientReply {
  code: number;
  text: string;
}

export type SupervisorToListener =
  | { type: 'lookup-answer'; id: number; answer: LookupAnswer }
  /** Answer to 'open': the listener's end of the worker's channel travels as the handle. */
  | { type: 'channel'; id: number; pid: number }
  | { type: 'channel-failed'; id: number; error: string }
  /** A worker exited (why: signal or status), so that its delivery in progress is answered with the cause. */
  | { type: 'worker-exit'; pid: number; why: string }
  /** Reload: every worker is replaced after its current delivery; cached lookups are forgotten. */
  | { type: 'retire' }
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
  /** Recipients per transaction; the next RCPT gets 452 4.5.3. */
  maxRecipients: number;
  /** Connections per listen address; the next are told 421. */
  maxClients: number;
  /** Host name in the greeting and LHLO reply. */
  hostname: string;
  /** Seconds an idle client may wait between commands. */
  socketTimeout: number;
  /** Workers that may deliver for one user at the same time. */
  workersPerUser: number;
  /** An idle worker is let go after this many seconds. */
  workerIdleSeconds: number;
  /** A delivery running longer than this is killed and answered 4xx. */
  deliveryTimeoutSeconds: number;
  /**
   * The supervisor logs JSON to stderr, which the listener shares: the listener writes its
   * own lines there (one fewer wake-up of root per message). Absent: lines go over IPC.
   */
  log?: StderrLog;
}

