// A condition line taken apart the way the engine's condition() reads it (weight, `!`, `$`,
// `VAR ??`, `?` program, `<`/`>` size, regex), and the checks on regexes that need no message:
// validity, literal dots in addresses, constructs egrep users expect that procmail lacks.
import { squeeze } from '../engine/procmail-text.ts';
import { compileProcmailRegex } from '../regex/index.ts';

export interface ConditionParts {
  kind: 'regex' | 'program' | 'size';
  negate: boolean;
  weighted: boolean;
  weight: number;
  xponent: number;
  /** `$` prefix: procmail expands the rest first. */
  expanded: boolean;
  /** `VAR ??`: the area is a variable (or H/B/HB). */
  area?: string;
  /** The regex (leading quoting `\` removed), the program, or the size comparison. */
  body: string;
  /** Offset of `body` in the condition text (for columns); -1 when it was rewritten (`$`, continuations). */
  bodyAt: number;
  /** The regex began with a quoting backslash. */
  quotedStart: boolean;
  sizeOp?: '<' | '>';
  sizeValue?: number;
}

const WEIGHT = /^([+-]?(?:\d+[.,]?\d*|[.,]\d+))[ \t]*\^[ \t]*([+-]?(?:\d+[.,]?\d*|[.,]\d+))/;
const AREA = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*\?\?[ \t]*/;

/**
 * Takes a condition apart. `expand` does procmail's `$` expansion statically (it returns
 * undefined when the result depends on the message).
 */
export async function splitCondition(text: string, expand: (s: string) => Promise<string | undefined>): Promise<ConditionParts | null> {
  let t = text;
  let at = 0;
  const p: ConditionParts = { kind: 'regex', negate: false, weighted: false, weight: 0, xponent: 0, expanded: false, body: '', bodyAt: 0, quotedStart: false };
  let first = true;
  for (;;) {
    const c = t[0] ?? '';
    if (first) {
      first = false;
      const m = WEIGHT.exec(t);
      if (m) {
        p.weighted = true;
        p.weight = parseFloat(m[1]!.replace(',', '.'));
        p.xponent = parseFloat(m[2]!.replace(',', '.'));
        const rest = t.slice(m[0].length);
        const trimmed = rest.replace(/^[ \t]+/, '');
        at += m[0].length + rest.length - trimmed.length;
        t = trimmed;
        continue;
      }
    }
    if (c === '!') {
      p.negate = !p.negate;
      const trimmed = t.slice(1).replace(/^[ \t]+/, '');
      if (at >= 0) at += t.length - trimmed.length;
      t = trimmed;
      continue;
    }
    if (c === '$') {
      const e = await expand(t.slice(1));
      if (e === undefined) return null;
      p.expanded = true;
      t = e.replace(/^[ \t]+/, '');
      at = -1;
      continue;
    }
    const vm = AREA.exec(t);
    if (vm) {
      p.area = vm[1];
      t = t.slice(vm[0].length);
      if (at >= 0) at += vm[0].length;
      continue;
    }
    if (c === '?') {
      p.kind = 'program';
      p.body = t.slice(1);
      p.bodyAt = at < 0 ? -1 : at + 1;
      return p;
    }
    if (c === '<' || c === '>') {
      p.kind = 'size';
      p.sizeOp = c;
      const m = /^.[ \t]*([+-]?\d*)/.exec(t)!;
      p.sizeValue = parseInt(m[1] || '0', 10) || 0;
      p.body = t;
      p.bodyAt = at;
      return p;
    }
    p.quotedStart = c === '\\';
    const raw = p.quotedStart ? t.slice(1) : t;
    p.body = squeeze(raw);
    // positions inside a pattern that continued over lines are only known up to its start
    p.bodyAt = at < 0 || p.body !== raw ? -1 : at + (p.quotedStart ? 1 : 0);
    return p;
  }
}

/** procmail's "Invalid regexp" text for a pattern, if any. */
export function regexProblem(re: string, caseSensitive: boolean, quotedStart: boolean): { invalid?: string; unsupported?: string } {
  if (re === '') return {};
  const c = compileProcmailRegex(re, { caseSensitive, quotedStart });
  return { ...(c.invalid ? { invalid: c.invalid } : {}), ...(c.unsupported ? { unsupported: c.unsupported } : {}) };
}

const ADDRESS_FIELD = /^\^?(?:TO_?|FROM_DAEMON|FROM_MAILER|(?:Resent-)?(?:From|To|Cc|Bcc|Sender|Reply-To)|Return-Path|Delivered-To|X-Original-To|Envelope-To|X-Envelope-To|List-Id|List-Post|List-Owner|Mailing-List|X-Mailing-List|X-BeenThere)\b/i;

/** Does the regex look for an address (a list id, a domain)? */
export function isAddressPattern(re: string): boolean {
  return ADDRESS_FIELD.test(re) || re.includes('@');
}

interface Scan {
  /** Unescaped `.` between two word characters, outside brackets. */
  dots: number[];
  /** `[[:alpha:]]`-style classes: offset and text. */
  posixClasses: { at: number; text: string }[];
  /** `{n}` / `{n,m}` outside brackets. */
  intervals: { at: number; text: string }[];
}

const WORD = /[A-Za-z0-9]/;

/** One pass over a procmail regex: brackets, escapes, the constructs worth a word. */
export function scanRegex(re: string): Scan {
  const out: Scan = { dots: [], posixClasses: [], intervals: [] };
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      const start = i;
      let j = i + 1;
      if (re[j] === '^') j++;
      if (re[j] === ']') j++;
      while (j < re.length && re[j] !== ']') j++;
      const inside = re.slice(start + 1, j);
      const cls = /\[:([a-z]+):$/.exec(inside);
      if (cls && re[j + 1] === ']') out.posixClasses.push({ at: start, text: re.slice(start, j + 2) });
      i = j;
      continue;
    }
    if (c === '.' && WORD.test(re[i - 1] ?? '') && WORD.test(re[i + 1] ?? '')) out.dots.push(i);
    if (c === '{' && i > 0) {
      const m = /^\{\d+(,\d*)?\}/.exec(re.slice(i));
      if (m) out.intervals.push({ at: i, text: m[0] });
    }
  }
  return out;
}

/** Regexes that match every text (so `!` before them never does). */
export function matchesEverything(re: string): boolean {
  return /^(\^?\.\*\$?|\^|\$|\(\)|)$/.test(re.trim());
}
