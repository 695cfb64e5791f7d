// Byte-level helpers with the semantics of the C library calls formail is built on
// (strncasecmp in the C locale, iscntrl, "From " detection). Everything works on raw bytes:
// mail headers are not text in any particular charset.

export const NL = 0x0a;
export const SP = 0x20;
export const TAB = 0x09;
export const COLON = 0x3a;
export const GT = 0x3e;

/** The mbox postmark prefix. */
export const FROM_ = Buffer.from('From ', 'latin1');

/** C-locale tolower: only A-Z fold. */
export function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** iscntrl() in the C locale: 0-31 and DEL. Bytes >= 128 are not control characters. */
export function isCntrl(c: number): boolean {
  return c < 0x20 || c === 0x7f;
}

/** byte at i, or 0 past the end: models reading a NUL-terminated C string. */
export function at(b: Uint8Array, i: number): number {
  return i < b.length && i >= 0 ? b[i]! : 0;
}

/**
 * strncasecmp(a+ai, b+bi, n) == 0, where reading past either end yields NUL (as the C code
 * sees its NUL-terminated strings). Stops early when both strings end at the same place.
 */
export function caseEq(a: Uint8Array, ai: number, b: Uint8Array, bi: number, n: number): boolean {
  for (let k = 0; k < n; k++) {
    const x = at(a, ai + k);
    const y = at(b, bi + k);
    if (lower(x) !== lower(y)) return false;
    if (x === 0) return true;
  }
  return true;
}

/** strncmp(a+ai, b, b.length) == 0 for a NUL-free b. */
export function startsWith(a: Uint8Array, ai: number, b: Uint8Array): boolean {
  if (a.length - ai < b.length) return false;
  for (let k = 0; k < b.length; k++) if (a[ai + k] !== b[k]) return false;
  return true;
}

/** eqFrom_(): does the text start with "From "? */
export function isFromLine(b: Uint8Array, i = 0): boolean {
  return b.length - i >= 5 && b[i] === 0x46 && b[i + 1] === 0x72 && b[i + 2] === 0x6f && b[i + 3] === 0x6d && b[i + 4] === SP;
}

/** skpspace(): skip blanks and tabs only. */
export function skipBlanks(b: Uint8Array, i: number): number {
  while (i < b.length && (b[i] === SP || b[i] === TAB)) i++;
  return i;
}

/** Index of the first NUL at or after `from`, or b.length (the C string's end). */
export function cEnd(b: Uint8Array, from = 0): number {
  const k = b.indexOf(0, from);
  return k < 0 ? b.length : k;
}

/** latin1 bytes of a JS string (one char per byte, the project convention). */
export function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
