// Content-Length: procmail overwrites the field's value with the real body length, in the
// field's own width (mailfold.c readmail), unless -Y (Berkeley format) is given.
//
// The value (everything after the colon up to the newline, blanks included) is first filled
// with 9s (at most 26 of them; further characters become blanks); then the body length is
// written right-aligned in that width if it fits. If it does not fit, the 9s stay. The
// number that ends up in the field also decides where mbox writing starts to >-quote
// "From " lines in the body (see mbox-quote.ts): only after that many body bytes.

const NL = 0x0a;
const NUL = 0x00;
const FIELD = 'content-length:';

/** Most digits procmail writes (its number buffer for a 64-bit long, minus the NUL). */
const MAX_PLACES = 26;

/**
 * Index just after the colon of the first header line starting with "Content-Length:"
 * (any case), or 0 when there is none. Continuation lines (starting with a blank) do not count.
 */
export function findContentLength(head: Buffer): number {
  for (let line = 0; line < head.length; ) {
    if (matchesField(head, line)) return line + FIELD.length;
    const nl = head.indexOf(NL, line);
    if (nl < 0) break;
    line = nl + 1;
  }
  return 0;
}

function matchesField(head: Buffer, at: number): boolean {
  if (head.length - at < FIELD.length) return false;
  for (let i = 0; i < FIELD.length; i++) {
    let c = head[at + i]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== FIELD.charCodeAt(i)) return false;
  }
  return true;
}

export interface ContentLengthRewrite {
  /** The header with the field rewritten (a copy; the input is not modified). */
  head: Buffer;
  /** The number the field now stands for: body bytes that mbox writing never >-quotes. */
  counted: number;
}

/**
 * Rewrite the Content-Length value that starts at `at` (from findContentLength) for `body`.
 * The length counted is the body's, minus one when the whole message ends with two
 * newlines (procmail's "phantom newline" rule, case c03 / 010).
 */
export function rewriteContentLength(head: Buffer, at: number, body: Buffer): ContentLengthRewrite {
  const total = head.length + body.length;
  const byteAt = (i: number): number | undefined => (i < head.length ? head[i] : body[i - head.length]);
  let length = body.length;
  if (total > 1 && byteAt(total - 2) === NL) length--;
  if (length < 0) length = 0;

  const out = Buffer.from(head);
  let places = 0;
  for (let i = at; i < out.length && out[i] !== NL && out[i] !== NUL; i++) {
    if (places < MAX_PLACES) {
      out[i] = 0x39; // '9'
      places++;
    } else {
      out[i] = 0x20;
    }
  }
  const digits = String(length);
  if (digits.length <= places) {
    out.write(digits.padStart(places, ' '), at, 'latin1');
    return { head: out, counted: length };
  }
  // Too narrow: the field keeps its 9s and means what it says.
  return { head: out, counted: 10 ** places - 1 };
}
