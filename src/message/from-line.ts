// The leading "From " (From_) line: what procmail does with it while reading the mail
// (from.c makeFrom), and where the From_ block ends for Maildir and forwarding (skipFrom_).
//
// Facts verified against procmail 3.22 (Debian 3.22-27) through the oracle:
// * Without -f/-r and without -d the input is not touched at all (not even leading newlines).
// * Otherwise leading newlines are dropped, then:
//   - `-f x`           an existing From_ line is replaced by `From x  <ctime>`; one is added if missing.
//   - `-f -`           the existing line keeps its sender, only the date is renewed (the old date
//                      is located by findTimestamp below); missing ⇒ `From <invoker>  <ctime>`.
//   - `-d` alone       an existing From_ line is kept; missing ⇒ `From <invoker>  <ctime>`.
//   - unprivileged     (the setuid procmail run by an ordinary user in -d mode): a fake alert line
//                      `>From <invoker>  <ctime>` is inserted right after the From_ line, and with
//                      -o the user's own From_ line is thrown away instead (and -f is ignored).
//                      `-f <invoker>` counts as privileged.
// * A From_ line whose newline is not within the first 2046 bytes (procmail's first read of
//   LINEBUF-2 bytes) is dropped and a new one generated as if there had been none.

import { LINEBUF_DEFAULT } from '../limits.ts';
import { ctime } from './ctime.ts';

const NL = 0x0a;
const NUL = 0x00;
const FROM = Buffer.from('From ', 'latin1');

/** procmail's first read after the leading newlines: one byte, then LINEBUF-3 more. */
export const FROM_LINE_PEEK = LINEBUF_DEFAULT - 2;

/** procmail's TRUSTED_IDS: users (or groups) allowed to set the sender with -f in -d mode. */
export const TRUSTED_IDS: readonly string[] = [
  'root', 'daemon', 'uucp', 'mail', 'x400', 'network', 'list', 'slist', 'lists', 'news',
];

export interface FromOptions {
  /** `-f x` / `-r x`; `-` keeps the sender of an existing From_ line and renews its date. */
  fromSender?: string;
  /** `-d`: explicit delivery mode (always makes sure a From_ line exists). */
  deliveryMode?: boolean;
  /** Login name of the invoking (real) user: used for generated and fake-alert From_ lines. */
  invoker: string;
  /**
   * May the invoker set the sender? procmail: always outside -d mode; in -d mode only when
   * the real uid equals the effective one or the invoker/its group is in TRUSTED_IDS.
   */
  privileged: boolean;
  /** `-o`: an unprivileged invoker's own From_ line is replaced rather than flagged. */
  override?: boolean;
  now: Date;
}

/** Does `buf` have "From " at `at` (case-sensitive, like procmail's eqFrom_)? */
export function isFromLineAt(buf: Buffer, at = 0): boolean {
  return buf.length - at >= FROM.length && buf.compare(FROM, 0, FROM.length, at, at + FROM.length) === 0;
}

/** Index of the first newline in [start, end) as strchr() finds it: a NUL first means none. */
function cNewline(buf: Buffer, start: number, end: number): number {
  // Search only this read's bytes: scanning to the end of a huge message for every
  // 2046-byte read would make an overlong From_ line quadratic.
  const chunk = buf.subarray(start, end);
  const nl = chunk.indexOf(NL);
  if (nl < 0) return -1;
  const nul = chunk.indexOf(NUL);
  return nul >= 0 && nul < nl ? -1 : start + nl;
}

function skipBlanks(line: Buffer, i: number): number {
  while (i < line.length && (line[i] === 0x20 || line[i] === 0x09)) i++;
  return i;
}

/**
 * Where the date of an existing From_ line starts, i.e. how much of `line` (which ends with
 * its newline) `-f -` keeps before appending the new `  <ctime>`. Follows procmail's
 * findtstamp: look for the `hh:mm:ss` colons of a 24-character date counted back from the
 * line's end, then step left over the blanks in front of it; a line too short for a date
 * keeps just the address.
 */
export function findTimestamp(line: Buffer): number {
  const lineEnd = line.length; // just past the newline
  let start = FROM.length;
  const end0 = lineEnd - 25;
  if (line[start] === 0x20) {
    // "From " followed by more blanks: an empty sender when the date follows at once.
    // (Equality, not >=, as in procmail 3.22: "From  x" keeps "From  x".)
    ++start;
    if (start === end0 || (line[start] === 0x20 && ++start === end0)) return start - 1;
  }
  start = skipBlanks(line, start);
  while (start < lineEnd && line[start] !== 0x20 && line[start] !== 0x09 && line[start] !== NL) start++;
  if (skipBlanks(line, start) >= end0) return start;
  let end = end0;
  while (!(line[end + 13] === 0x3a && line[end + 16] === 0x3a) && --end > start);
  let sawBlank = false;
  while (end-- > start) {
    const c = line[end];
    if (c === 0x20 || c === 0x09) {
      sawBlank = true;
      continue;
    }
    if (!sawBlank) continue;
    break;
  }
  return end + 1;
}

/**
 * Apply -f / -d / -o to the raw input the way procmail does before anything else reads it.
 * Returns `raw` itself when nothing is to be done.
 */
export function prepareFromLine(raw: Buffer, o: FromOptions): Buffer {
  const deliveryMode = o.deliveryMode === true;
  let from = o.fromSender;
  const refresh = from === '-';
  // privs: 1 = may set the sender, 0 = flag it with a fake alert, -1 = (-o) replace it.
  let privs = !deliveryMode || o.privileged ? 1 : o.override ? -1 : 0;
  let who = o.invoker;
  if (from !== undefined && !refresh) {
    who = from;
    if (privs !== 1 && from === o.invoker) privs = 1;
    else if (privs === -1) {
      from = undefined; // "Attempt to fake stamp": the bogus -f is ignored
      who = o.invoker;
    }
  }
  if (!deliveryMode && from === undefined) return raw;

  const stamp = `  ${ctime(o.now)}\n`;
  let fake: string | undefined = privs > 0 ? undefined : `>From ${o.invoker}${stamp}`;
  let p = 0;
  while (p < raw.length && raw[p] === NL) p++;
  const peekEnd = Math.min(raw.length, p + FROM_LINE_PEEK);
  let rest = raw.subarray(p);

  if (peekEnd - p >= FROM.length && isFromLineAt(raw, p)) {
    const nl = cNewline(raw, p, peekEnd);
    if (nl >= 0) {
      const line = raw.subarray(p, nl + 1);
      const after = raw.subarray(nl + 1);
      if (!(deliveryMode && privs < 0)) {
        let head: Buffer;
        if (refresh) head = Buffer.concat([line.subarray(0, findTimestamp(line)), latin1(stamp)]);
        else if (from === undefined) head = line; // -d: leave the From_ line alone
        else head = latin1(`From ${who}${stamp}`);
        return fake === undefined ? Buffer.concat([head, after]) : Buffer.concat([head, latin1(fake), after]);
      }
      rest = after; // -o in -d mode: the invoker's own From_ line is discarded
    } else {
      rest = afterOverlongFromLine(raw, peekEnd);
    }
  }
  // No usable From_ line: generate one.
  if (from === undefined) fake = undefined;
  const head = latin1(`From ${who}${stamp}${fake ?? ''}`);
  return Buffer.concat([head, rest]);
}

/**
 * A From_ line with no newline in procmail's first read is skipped up to the first newline
 * found in a later read of LINEBUF-2 bytes (each read is searched with strchr, so a NUL in
 * it hides its newline). Returns what is kept after it.
 */
function afterOverlongFromLine(raw: Buffer, from: number): Buffer {
  for (let pos = from; pos < raw.length; ) {
    const end = Math.min(raw.length, pos + FROM_LINE_PEEK);
    const nl = cNewline(raw, pos, end);
    if (nl >= 0) return raw.subarray(nl + 1);
    pos = end;
  }
  return raw.subarray(raw.length);
}

function latin1(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/**
 * Length of the leading From_ block: the From_ line plus every following line that starts
 * with `>` (procmail's skipFrom_). Maildir deliveries and forwards (`!`) leave it out when
 * they write the message from its start. 0 when the buffer does not start with "From ".
 */
export function fromBlockLength(buf: Buffer): number {
  if (!isFromLineAt(buf, 0)) return 0;
  let i = 0;
  do {
    const nl = buf.indexOf(NL, i);
    if (nl < 0) return buf.length;
    i = nl + 1;
  } while (i < buf.length && buf[i] === 0x3e);
  return i;
}
