// Where mbox writing inserts '>' before "From " lines (mailfold.c getchunk).
//
// procmail scans for "\nFrom " and writes a '>' after the newline:
// * in the header from procmail's realstart on (so the first line, the From_ line, is never
//   quoted, but later "From " lines in the header are: case 170);
// * in the body from `restbody` on: the newline ending the header without Content-Length,
//   else after the number of body bytes the Content-Length field claims (cases 010, 173);
// * never before the start of the data being written: a body-only (`b`) write does not
//   quote the body's first line;
// * each scan is a strstr, so a NUL byte ends it: "From " lines after a NUL in the header
//   part, or after a NUL in the body, are not quoted.
// Raw (`r`) writes and non-mbox folders are never quoted.

import type { Message } from './read.ts';
import { realStart } from './header-scan.ts';

const FROM_EXPR = Buffer.from('\nFrom ', 'latin1');

export type WrittenPart = 'whole' | 'head' | 'body';

/**
 * Offsets into the written data (head+body, head, or body) before which a '>' goes.
 * `msg` supplies the header, body and the Content-Length state (quoteFromBody).
 * Linear in the message size.
 */
export function mboxQuoteOffsets(msg: Pick<Message, 'head' | 'body' | 'quoteFromBody'>, part: WrittenPart): number[] {
  const all = Buffer.concat([msg.head, msg.body]);
  const bodyStart = msg.head.length;
  const start = part === 'body' ? bodyStart : 0;
  const end = part === 'head' ? bodyStart : all.length;
  const headScanFrom = realStart(msg.head);
  const restBody = bodyStart > 0 ? bodyStart - 1 + msg.quoteFromBody : 0;

  // strstr() stops at a NUL: remember the next NUL at or after the last search start.
  let nulFrom = -1;
  let nul = -1;
  const firstNulFrom = (from: number): number => {
    if (nulFrom < 0 || from < nulFrom || nul < from) {
      nul = all.indexOf(0, from);
      if (nul < 0) nul = all.length;
      nulFrom = from;
    }
    return nul;
  };
  /** First "\nFrom " fully inside [from, to) with no NUL before its end, or -1. */
  const find = (from: number, to: number): number => {
    if (from >= to) return -1;
    const hit = all.indexOf(FROM_EXPR, from);
    if (hit < 0 || hit + FROM_EXPR.length > to) return -1;
    return firstNulFrom(from) < hit + FROM_EXPR.length ? -1 : hit;
  };

  const offsets: number[] = [];
  let pos = start;
  while (pos < end) {
    let found = -1;
    if (pos < bodyStart) found = find(Math.max(pos, headScanFrom), bodyStart);
    if (found < 0 && end > restBody) {
      // procmail lets the body scan run 5 bytes past the written part ("slack").
      found = find(Math.max(pos, restBody), Math.min(end + FROM_EXPR.length - 1, all.length));
    }
    if (found < 0) break;
    pos = found + 1; // the newline is written, then '>' before "From "
    if (pos >= end) break; // nothing left to write: the pending '>' is never written
    offsets.push(pos - start);
  }
  return offsets;
}
