// What a program (or a non-mbox file) receives when procmail writes message data to it.
//
// procmail's dump() makes every message end with an empty line: unless the data already ends
// with two newlines it writes one more newline (so a `?` program in a B recipe sees the body
// plus "\n", case 051; `| cat` gets 495 bytes of a 494-byte mail, case 083). With the `r` flag,
// for Maildir and for /dev/null it adds nothing: the data goes out exactly as it is.
// (Case 160's expected output shows a Maildir copy one byte short; that is the oracle
// harness, whose show_file() truncates one byte of any file without final newline because
// it assumes sed added one. Real procmail writes every byte: checked by running it directly.)
// The size procmail reports (abstract) counts the newline it added.

import { joinedHead, type Area } from './areas.ts';

const NL = 0x0a;
const NEWLINE = Buffer.from('\n', 'latin1');

export interface Dump {
  /** The bytes, in order. */
  chunks: Buffer[];
  /** What procmail counts as written (the abstract's size for pipes). */
  reported: number;
}

function lastBytes(data: readonly Buffer[], n: number): number[] {
  const out: number[] = [];
  for (let i = data.length - 1; i >= 0 && out.length < n; i--) {
    const b = data[i]!;
    for (let j = b.length - 1; j >= 0 && out.length < n; j--) out.push(b[j]!);
  }
  return out;
}

/**
 * `data` as a program (or file) receives it from procmail. `raw`: the `r` flag (and
 * Maildir and /dev/null, which never get the extra newline).
 */
export function dumpData(data: readonly Buffer[], raw: boolean): Dump {
  const total = data.reduce((n, b) => n + b.length, 0);
  const [last, beforeLast] = lastBytes(data, 2);
  if (!raw) {
    if (total >= 2 && last === NL && beforeLast === NL) return { chunks: [...data], reported: total };
    return { chunks: [...data, NEWLINE], reported: total + 1 };
  }
  return { chunks: [...data], reported: total };
}

/**
 * stdin of a `?` condition program: the header (folded lines joined, as the regexes see
 * it) for H, the body for B, both for HB; plus procmail's trailing newline.
 */
export function conditionInput(head: Buffer, body: Buffer, area: Area): Buffer[] {
  const parts = area === 'H' ? [joinedHead(head)] : area === 'B' ? [body] : [joinedHead(head), body];
  return dumpData(parts, false).chunks;
}
