// From a delivery's outcome to the LMTP reply for that recipient: one table, one function.
//
// The rule is "never lose, never bounce on our own trouble": only a real success answers
// 250 and only "no such user" answers 5xx. Every other exit status of the engine (EX_TEMPFAIL,
// EX_CANTCREAT, a crashed or timed-out worker, a broken passwd-file...) answers 4xx, so the
// MTA keeps the message and retries. The enhanced status code (RFC 3463) is added by
// smtp-server from the reply code: 250 -> 2.6.0, 451 -> 4.3.0, 452 -> 4.2.2, 550 -> 5.1.1,
// 552 -> 5.2.2.
import { EX_NOUSER, EX_OK, EXIT_TABLE } from '../sysexits.ts';

export interface LmtpReply {
  code: number;
  text: string;
}

/** What a worker reports for one recipient (see ipc.ts). */
export interface DeliveryReport {
  /** The engine's exit status; undefined when the worker failed before it had one. */
  exitCode?: number;
  /** Why there is no exit status (worker crashed, timed out, could not start). */
  error?: string;
  /** A folder write failed for lack of space (ENOSPC, EDQUOT) during this delivery. */
  noSpace?: boolean;
}

export const REPLY_UNKNOWN_USER: LmtpReply = { code: 550, text: 'No such user here' };
export const REPLY_TOO_BIG: LmtpReply = { code: 552, text: 'Message exceeds fixed maximum message size' };

/** The reply for one recipient after DATA. */
export function replyFor(report: DeliveryReport, queueId: string, recipient: string): LmtpReply {
  const code = report.exitCode;
  if (code === EX_OK) return { code: 250, text: `<${recipient}> ${queueId} Saved` };
  if (code === EX_NOUSER) return REPLY_UNKNOWN_USER;
  if (report.noSpace) return { code: 452, text: `<${recipient}> ${queueId} Insufficient disk space, try again later` };
  const why = code === undefined ? report.error ?? 'internal error' : exitName(code);
  return { code: 451, text: `<${recipient}> ${queueId} Delivery failed (${why}), try again later` };
}

function exitName(code: number): string {
  const row = EXIT_TABLE[code];
  return row ? `${row[0]} ${code}` : `exit ${code}`;
}

/** An Error carrying the reply, the form smtp-server takes in its callbacks. */
export function replyError(reply: LmtpReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.text), { responseCode: reply.code });
}
