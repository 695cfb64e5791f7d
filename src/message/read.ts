// Reading a message the way procmail does: From_ line handling, header/body split,
// Content-Length rewriting. Every other byte is kept exactly as it came in.

import type { MailParts } from '../engine/effects.ts';
import { findContentLength, rewriteContentLength } from './content-length.ts';
import { prepareFromLine, TRUSTED_IDS } from './from-line.ts';
import { scanHeader } from './header-scan.ts';

export interface ReadOptions {
  now: Date;
  /** `-f x` / `-r x`; `-f -` keeps the sender of an existing From_ line and renews the date. */
  fromSender?: string;
  /** `-o`: in -d mode an unprivileged invoker's own From_ line is replaced (and -f ignored). */
  override?: boolean;
  /** `-Y`: Berkeley format, Content-Length is neither trusted nor rewritten. */
  berkeley?: boolean;
  /**
   * `-d` (explicit delivery mode): the invoker's login name. A From_ line
   * `From <name>  <ctime>` is generated when the message has none; leading newlines go.
   */
  generateFrom?: string;
  /**
   * Login name of the invoking user outside -d mode (`-f -` on a message without From_ line
   * generates `From <invoker>`). Defaults to generateFrom, else "nobody".
   */
  invoker?: string;
  /**
   * May the invoker choose the sender? Default: true outside -d mode; in -d mode true only
   * when the invoker is in TRUSTED_IDS (what the setuid-root procmail decides for an ordinary
   * user: a From_ line already present then gets a `>From <invoker>  <ctime>` line after it).
   * A front door running as the recipient itself (uid == euid) may pass true.
   */
  privileged?: boolean;
}

/** The message as read: MailParts plus what procmail remembers about it. */
export interface Message extends MailParts {
  /** A Content-Length field is in effect (present and not -Y). */
  contentLength: boolean;
  /**
   * Body offset from which mbox writing >-quotes "From " lines: 0 without Content-Length
   * (every body line), otherwise the number the field now holds plus one (usually past the
   * end of the body: nothing is quoted). See mboxQuoteOffsets().
   */
  quoteFromBody: number;
  /** Index in `head` just after "Content-Length:" (0 = none); a body filter rewrites it again. */
  contentLengthAt: number;
}

/** procmail's header/body split of a whole message (first empty line; see header-scan.ts). */
export function splitMail(buf: Buffer): MailParts {
  const { headEnd } = scanHeader(buf);
  return { head: buf.subarray(0, headEnd), body: buf.subarray(headEnd) };
}

/** Everything procmail does to stdin before the first recipe sees it. */
export function readMessage(raw: Buffer, opts: ReadOptions): Message {
  const deliveryMode = opts.generateFrom !== undefined;
  const invoker = opts.generateFrom ?? opts.invoker ?? 'nobody';
  const prepared = prepareFromLine(raw, {
    fromSender: opts.fromSender,
    deliveryMode,
    invoker,
    privileged: opts.privileged ?? (!deliveryMode || TRUSTED_IDS.includes(invoker)),
    override: opts.override,
    now: opts.now,
  });
  return examine(splitMail(prepared), opts.berkeley === true);
}

/** Which part of the message a filter (`f` flag) replaced. */
export type FilteredPart = 'whole' | 'head' | 'body';

/**
 * The message after a filter replaced part of it (procmail re-reads it: readmail).
 * * `whole`: the output is the new message, split again; no From_ processing.
 * * `head`: the output becomes the header, the old body is appended, and the result is
 *   split again (a filter that drops the empty line pulls body lines into the header).
 * * `body`: the header stays as it is; a Content-Length field is rewritten for the new body.
 */
export function rereadMessage(prev: Message, part: FilteredPart, output: Buffer, berkeley: boolean): Message {
  if (part === 'body' && prev.head.length > 0) {
    return examine({ head: prev.head, body: output }, berkeley, prev.contentLengthAt);
  }
  const whole = part === 'head' ? Buffer.concat([output, prev.body]) : output;
  return examine(splitMail(whole), berkeley);
}

function examine(parts: MailParts, berkeley: boolean, knownAt?: number): Message {
  const at = knownAt ?? (berkeley ? 0 : findContentLength(parts.head));
  if (at === 0) {
    return { head: parts.head, body: parts.body, contentLength: false, quoteFromBody: 0, contentLengthAt: 0 };
  }
  const { head, counted } = rewriteContentLength(parts.head, at, parts.body);
  return { head, body: parts.body, contentLength: true, quoteFromBody: counted + 1, contentLengthAt: at };
}

/** Length of the message for `< n` / `> n` conditions: the bytes as read (From_ line included). */
export function messageSize(mail: MailParts): number {
  return mail.head.length + mail.body.length;
}
