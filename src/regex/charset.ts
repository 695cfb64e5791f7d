// Sets of bytes, the only thing procmail's regex ever matches one character against.
//
// procmail compiles every literal, `.`, `[...]`, `^`/`$` and `\<`/`\>` into "one byte from
// this set" (src/regexp.c: a plain opcode or a 256-bit class). Keeping that model means case
// folding and negation are decided here, bit by bit, exactly as procmail decides them, and
// the RE2 side only ever sees explicit sets of code points.

/** One flag per byte value 0..255. */
export type ByteSet = Uint8Array;

export const NEWLINE = 0x0a;

export function emptySet(): ByteSet {
  return new Uint8Array(256);
}

/** ASCII-only case partner (procmail runs in the C locale: é and É are different bytes). */
export function casePartner(code: number): number | undefined {
  if (code >= 0x41 && code <= 0x5a) return code + 0x20;
  if (code >= 0x61 && code <= 0x7a) return code - 0x20;
  return undefined;
}

/** procmail's bseti(): set or clear a byte, and with case folding its ASCII partner too. */
export function markByte(set: ByteSet, code: number, value: boolean, fold: boolean): void {
  if (code > 0xff) return; // not a byte: cannot occur in a latin1 area text
  set[code] = value ? 1 : 0;
  if (!fold) return;
  const partner = casePartner(code);
  if (partner !== undefined) set[partner] = value ? 1 : 0;
}

/** A plain character of the pattern (procmail lowercases both sides when folding). */
export function literalSet(code: number, fold: boolean): ByteSet {
  const set = emptySet();
  markByte(set, code, true, fold);
  return set;
}

/** `.`: any byte but newline (NUL included). */
export function dotSet(): ByteSet {
  const set = new Uint8Array(256).fill(1);
  set[NEWLINE] = 0;
  return set;
}

/** `^` or `$` away from the edges of the area: exactly one newline. */
export function newlineSet(): ByteSet {
  return literalSet(NEWLINE, false);
}

/**
 * `\<` and `\>`: procmail compiles them as the class `[^a-zA-Z0-9_]` and then puts the
 * newline back in (a negated class normally excludes it), so they consume one non-word
 * byte or newline.
 */
export function nonWordSet(): ByteSet {
  const set = new Uint8Array(256).fill(1);
  for (let c = 0; c < 256; c++) {
    if (isWordByte(c)) set[c] = 0;
  }
  return set;
}

function isWordByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** The set as inclusive [lo, hi] ranges, ascending. */
export function toRanges(set: ByteSet): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let c = 0;
  while (c < 256) {
    if (!set[c]) {
      c++;
      continue;
    }
    const lo = c;
    while (c + 1 < 256 && set[c + 1]) c++;
    ranges.push([lo, c]);
    c++;
  }
  return ranges;
}

export function setSize(set: ByteSet): number {
  let n = 0;
  for (let c = 0; c < 256; c++) n += set[c]!;
  return n;
}

/**
 * Parse a bracket expression the way procmail's psimp() does, starting just after `[`.
 * Returns the set and the index just past the class. procmail's rules (all verified
 * against the installed binary):
 * - `^` first negates; a negated class never matches newline.
 * - `]` or `-` right at the start are literal.
 * - a backslash is an ordinary member (`[\]]` is the class {\} followed by a literal `]`).
 * - `a-z` marks the range; `z-a` marks only z and a; `-` before `]` or the end is literal.
 * - no `]` at all: the class runs to the end of the pattern (not an error).
 * - POSIX names are not special: `[[:alpha:]]` is the class `[[:alph]` then a literal `]`.
 */
export function parseClass(pattern: string, start: number, fold: boolean): { set: ByteSet; end: number } {
  let p = start;
  const negated = pattern[p] === '^';
  const set = negated ? new Uint8Array(256).fill(1) : emptySet();
  const value = !negated;
  if (negated) {
    p++;
    set[NEWLINE] = 0;
  }
  let last = 0;
  if (pattern[p] === ']' || pattern[p] === '-') {
    last = pattern.charCodeAt(p);
    markByte(set, last, value, false);
    p++;
  }
  for (;;) {
    const c = pattern[p];
    if (c === undefined) return { set, end: p };
    if (c === ']') return { set, end: p + 1 };
    if (c === '-') {
      const next = pattern[p + 1];
      if (next !== undefined && next !== ']') {
        p++;
        const hi = pattern.charCodeAt(p);
        for (let code = last + 1; code < Math.min(hi, 256); code++) markByte(set, code, value, fold);
      }
      // else: a '-' before ']' or the end is an ordinary member, marked below
    }
    last = pattern.charCodeAt(p);
    markByte(set, last, value, fold);
    p++;
  }
}
