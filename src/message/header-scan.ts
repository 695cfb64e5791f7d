// Where procmail thinks the header ends, and which header newlines start a folded line.
//
// procmail (mailfold.c readmail) first skips leading newlines, then steps *one character
// further* (the skip loop post-increments past the first non-newline byte). From there it
// walks the newlines with strchr: a newline followed by another newline ends the header,
// a newline followed by a space or TAB is remembered as a continuation (joined into a space
// while regexes look at the header). strchr stops at a NUL byte, so a NUL before the empty
// line makes the whole rest of the message "header" (no body at all).

const NL = 0x0a;
const SP = 0x20;
const TAB = 0x09;
const NUL = 0x00;

/**
 * Index just past the first non-newline byte (procmail's `realstart`); the message length
 * when it is all newlines. Header From_-quoting and the scans below start here, which is
 * why the first line itself is never treated as a continuation or quoted.
 */
export function realStart(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && buf[i] === NL) i++;
  return i < buf.length ? i + 1 : buf.length;
}

export interface HeaderScan {
  /** Length of the header: index just past the newline of the empty line, or buf.length. */
  headEnd: number;
  /** Indexes of newlines that are followed by a space or TAB inside the header. */
  continuations: number[];
}

/**
 * Scan `buf` (a whole message, or a header on its own) the way readmail does.
 * Cost is linear: one indexOf per line.
 */
export function scanHeader(buf: Buffer): HeaderScan {
  const len = buf.length;
  const start = realStart(buf);
  const continuations: number[] = [];
  // strchr() never looks past the first NUL: find it once.
  let nul = buf.indexOf(NUL, start);
  if (nul < 0) nul = len;
  let i = start;
  for (;;) {
    const nl = buf.indexOf(NL, i);
    if (nl < 0 || nl >= nul) return { headEnd: len, continuations };
    const next = nl + 1 < len ? buf[nl + 1] : NUL;
    if (next === NL) return { headEnd: nl + 2, continuations };
    if (next === SP || next === TAB) continuations.push(nl);
    i = nl + 1;
  }
}
