// What each folder type gets written: procmail's dump() rules, as pure functions over the
// message parts. The result is a list of slices of the original buffers (no copy of the
// message), plus the byte count the log abstract shows.
import type { MailParts } from '../engine/effects.ts';
import { realStart } from '../message/header-scan.ts';

export interface Content {
  chunks: Buffer[];
  /** Bytes written (procmail's `lastdump`): the abstract's size column. */
  bytes: number;
}

const NL = 0x0a;
const FROM_ = Buffer.from('From ', 'latin1');
const QUOTE = Buffer.from('>', 'latin1');
const NEWLINE = Buffer.from('\n', 'latin1');

/**
 * mbox: `>`-quote lines that start with "From " (procmail's getchunk), then one newline
 * unless `raw` or the data already ends with an empty line. `raw` (the r flag) disables the
 * quoting as well (verified against procmail 3.22). Which lines are quoted:
 * - in the header, every "From " line after the first line (case 170);
 * - in the body, from `quoteFromBody` on (a body offset; 0 = every line; with a
 *   Content-Length field procmail starts after the length it claims: cases 010, 173);
 * - never the first line of a body-only write (nothing before it is written);
 * - procmail searches with strstr(), so a NUL byte ends the search of its region.
 */
export function mboxContent(mail: MailParts, raw: boolean, quoteFromBody: number): Content {
  const { head, body } = mail;
  if (raw) return plain([head, body]);
  const at = mboxQuotes(head, body, quoteFromBody);
  const chunks = insertQuotes([head, body], at);
  return withFinalNewline(chunks, head.length + body.length + at.length, [head, body]);
}

/** Offsets in head+body before which mbox writing inserts '>'. */
export function mboxQuotes(head: Buffer, body: Buffer, quoteFromBody: number): number[] {
  const parts = [head, body];
  const total = head.length + body.length;
  const firstNul = (from: number): number => {
    if (from < head.length) {
      const i = head.indexOf(0, from);
      if (i >= 0) return i;
    }
    const j = body.indexOf(0, Math.max(0, from - head.length));
    return j >= 0 ? head.length + j : total;
  };
  const out = new Set<number>();
  if (head.length > 0) {
    const from = realStart(head);
    for (const at of fromLineStarts(parts, from, Math.min(head.length, firstNul(from)))) out.add(at);
  }
  // procmail's restbody: the newline ending the header, or further on with Content-Length
  const restBody = head.length > 0 ? head.length - 1 + quoteFromBody : Math.max(0, quoteFromBody - 1);
  if (restBody < total) for (const at of fromLineStarts(parts, restBody, firstNul(restBody))) out.add(at);
  return [...out].sort((x, y) => x - y);
}

/** MH and directory folders: the data as is (From_ line kept), plus the final newline unless `raw`. */
export function plainFolderContent(mail: MailParts, raw: boolean): Content {
  const parts = [mail.head, mail.body];
  if (raw) return plain(parts);
  return withFinalNewline(parts.filter((b) => b.length > 0), mail.head.length + mail.body.length, parts);
}

/**
 * Maildir: no From_ line (procmail's skipFrom_ drops it together with any `>`-continuation
 * lines, but only when the write starts at the top of the message, i.e. the header is
 * included), no quoting, no final newline.
 */
export function maildirContent(mail: MailParts): Content {
  let head = mail.head;
  if (head.length > 0) head = skipFromLine(head);
  return plain([head, mail.body]);
}

/** The bytes after a leading From_ line and the `>From` lines that follow it. */
export function skipFromLine(head: Buffer): Buffer {
  if (head.length < FROM_.length || !head.subarray(0, FROM_.length).equals(FROM_)) return head;
  let p = 0;
  do {
    const nl = head.indexOf(NL, p);
    if (nl < 0) return head.subarray(head.length);
    p = nl + 1;
  } while (p < head.length && head[p] === 0x3e /* > */);
  return head.subarray(p);
}

function plain(parts: Buffer[]): Content {
  const chunks = parts.filter((b) => b.length > 0);
  return { chunks, bytes: chunks.reduce((n, b) => n + b.length, 0) };
}

/** dump()'s ending: one more newline unless the data ends with "\n\n" (and is at least 2 bytes). */
function withFinalNewline(chunks: Buffer[], written: number, original: Buffer[]): Content {
  const [a, b] = lastTwoBytes(original);
  if (written < 2 || !(a === NL && b === NL)) return { chunks: [...chunks, NEWLINE], bytes: written + 1 };
  return { chunks, bytes: written };
}

function lastTwoBytes(parts: Buffer[]): [number, number] {
  const out: number[] = [];
  for (let p = parts.length - 1; p >= 0 && out.length < 2; p--) {
    const buf = parts[p]!;
    for (let k = buf.length - 1; k >= 0 && out.length < 2; k--) out.unshift(buf[k]!);
  }
  while (out.length < 2) out.unshift(-1);
  return [out[0]!, out[1]!];
}

/**
 * Offsets (in the concatenation of `parts`) of every "From " that follows a newline at an
 * offset >= `start`, with the whole "From " before `limit`.
 */
export function fromLineStarts(parts: Buffer[], start: number, limit: number): number[] {
  const out: number[] = [];
  let base = 0;
  for (let i = 0; i < parts.length; i++) {
    const buf = parts[i]!;
    // matches entirely inside this buffer
    let p = buf.indexOf('\nFrom ', Math.max(0, start - base), 'latin1');
    while (p >= 0) {
      const at = base + p + 1;
      if (at + FROM_.length <= limit) out.push(at);
      p = buf.indexOf('\nFrom ', p + 1, 'latin1');
    }
    // a match that straddles this buffer and the following ones
    const next = parts.slice(i + 1);
    if (next.length > 0 && buf.length > 0) {
      const tailFrom = Math.max(0, buf.length - 5, start - base);
      const window = Buffer.concat([buf.subarray(tailFrom), ...next.map((b) => b.subarray(0, 6))]);
      let q = window.indexOf('\nFrom ', 0, 'latin1');
      while (q >= 0) {
        if (tailFrom + q < buf.length && tailFrom + q + 6 > buf.length) {
          const at = base + tailFrom + q + 1;
          if (at + FROM_.length <= limit) out.push(at);
        }
        q = window.indexOf('\nFrom ', q + 1, 'latin1');
      }
    }
    base += buf.length;
  }
  return out.sort((x, y) => x - y);
}

/** Slices of `parts` with a ">" inserted before each offset of `at` (sorted). */
function insertQuotes(parts: Buffer[], at: number[]): Buffer[] {
  const out: Buffer[] = [];
  let k = 0;
  let base = 0;
  for (const buf of parts) {
    let from = 0;
    while (k < at.length && at[k]! - base <= buf.length) {
      const cut = at[k]! - base;
      if (cut === buf.length) break; // the quote belongs to the start of the next buffer
      if (cut > from) out.push(buf.subarray(from, cut));
      out.push(QUOTE);
      from = cut;
      k++;
    }
    if (from < buf.length) out.push(buf.subarray(from));
    base += buf.length;
  }
  return out;
}
