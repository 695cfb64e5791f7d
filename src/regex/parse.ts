// Parser for procmail's egrep dialect, following the structure of procmail's own compiler
// (src/regexp.c: por() = alternatives, pnorm() = a sequence with postfix operators,
// psimp() = one simple item), so that malformed patterns come out the way procmail reads
// them. Every rule below was checked against the installed procmail binary.
//
// - `^` and `$` are both "one newline" (the area is searched as if a newline preceded and
//   followed it, which is what makes them look like anchors at the pattern's edges).
// - `^^` is the start of the area, or its end when nothing follows it in the pattern.
// - A postfix operator applies once; a second one is a literal (`a**` = `a*` then `*`),
//   and so is one at the start of a sequence (`(*)` matches a `*`).
// - `{`, `}` are literals; `\x` is a literal x for every x except `\/` (MATCH split),
//   `\<` and `\>` (one non-word byte or newline); a trailing `\` is a literal backslash.
// - An unclosed `(` is closed at the end and flagged invalid; an unbalanced `)` at the top
//   level ends the pattern there (the rest is ignored) and is flagged invalid.
import {
  type ByteSet,
  dotSet,
  literalSet,
  newlineSet,
  nonWordSet,
  parseClass,
} from './charset.ts';

export type Node =
  /** One byte from the set (a newline in the set also takes the virtual newlines). */
  | { kind: 'set'; bits: ByteSet }
  /** `^^` that is not at the end: the virtual newline before the area. */
  | { kind: 'bot' }
  /** `^^` at the end of the pattern: the end of the area. */
  | { kind: 'eot' }
  /** `\/`: MATCH is what the rest of the pattern matches. */
  | { kind: 'split' }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; alts: Node[] }
  | { kind: 'repeat'; op: '*' | '+' | '?'; body: Node };

/** As parsed, before each `^^` (`edge`) is known to be the start or the end of the area. */
type ParsedNode =
  | { kind: 'set'; bits: ByteSet }
  | { kind: 'edge' }
  | { kind: 'split' }
  | { kind: 'seq'; items: ParsedNode[] }
  | { kind: 'alt'; alts: ParsedNode[] }
  | { kind: 'repeat'; op: '*' | '+' | '?'; body: ParsedNode };

export interface ParsedPattern {
  root: Node;
  /** procmail would log `Invalid regexp` (unbalanced parentheses); the pattern is still used. */
  invalid: boolean;
}

export function parseProcmailPattern(pattern: string, fold: boolean): ParsedPattern {
  // procmail's pattern is a C string: nothing after a NUL exists for it
  const nul = pattern.indexOf('\0');
  const parser = new Parser(nul >= 0 ? pattern.slice(0, nul) : pattern, fold);
  const parsed = parser.alternatives(true);
  return { root: resolveEdges(parsed, true), invalid: parser.invalid };
}

const isGroupEnd = (c: string | undefined): boolean => c === undefined || c === '|' || c === ')';

class Parser {
  private p = 0;
  invalid = false;

  constructor(private readonly s: string, private readonly fold: boolean) {}

  /** por(): alternatives up to `)` or the end. */
  alternatives(top: boolean): ParsedNode {
    const alts: ParsedNode[] = [];
    for (;;) {
      alts.push(this.sequence());
      const c = this.s[this.p];
      if (c === '|') {
        this.p++;
        continue;
      }
      if (c === ')') {
        if (top) {
          // unbalanced: procmail stops compiling here and ignores the rest
          this.invalid = true;
          this.p = this.s.length;
        } else {
          this.p++;
        }
      } else if (!top) {
        this.invalid = true; // unclosed group, closed at the end
      }
      break;
    }
    return alts.length === 1 ? alts[0]! : { kind: 'alt', alts };
  }

  /** pnorm(): simple items, each with at most one postfix operator. */
  private sequence(): ParsedNode {
    const items: ParsedNode[] = [];
    while (!isGroupEnd(this.s[this.p])) {
      const item = this.simple();
      const op = this.s[this.p];
      if (op === '*' || op === '+' || op === '?') {
        this.p++;
        items.push({ kind: 'repeat', op, body: item });
      } else {
        items.push(item);
      }
    }
    return items.length === 1 ? items[0]! : { kind: 'seq', items };
  }

  /** psimp(): one item. Never called at `|`, `)` or the end. */
  private simple(): ParsedNode {
    const s = this.s;
    const c = s[this.p]!;
    switch (c) {
      case '(':
        this.p++;
        return this.alternatives(false);
      case '[': {
        const { set, end } = parseClass(s, this.p + 1, this.fold);
        this.p = end;
        return { kind: 'set', bits: set };
      }
      case '.':
        this.p++;
        return { kind: 'set', bits: dotSet() };
      case '^':
        if (s[this.p + 1] === '^') {
          this.p += 2;
          return { kind: 'edge' };
        }
        this.p++;
        return { kind: 'set', bits: newlineSet() };
      case '$':
        this.p++;
        return { kind: 'set', bits: newlineSet() };
      case '\\': {
        const next = s[this.p + 1];
        if (next === undefined) {
          this.p++;
          return { kind: 'set', bits: literalSet(0x5c, false) }; // nothing to quote: a backslash
        }
        this.p += 2;
        if (next === '/') return { kind: 'split' };
        if (next === '<' || next === '>') return { kind: 'set', bits: nonWordSet() };
        return { kind: 'set', bits: literalSet(next.charCodeAt(0), this.fold) };
      }
      default:
        this.p++;
        return { kind: 'set', bits: literalSet(c.charCodeAt(0), this.fold) };
    }
  }
}

/**
 * Decide what each `^^` is. procmail compiles `^^` as "end of area" exactly when its
 * continuation is the end of the whole pattern: it is the last item of its sequence (or
 * its `?` is), in a group that is itself in such a final position. Under `*` or `+` the
 * continuation is the loop, so it is "start of area" there.
 */
function resolveEdges(node: ParsedNode, final: boolean): Node {
  switch (node.kind) {
    case 'edge':
      return final ? { kind: 'eot' } : { kind: 'bot' };
    case 'seq': {
      const last = node.items.length - 1;
      return { kind: 'seq', items: node.items.map((item, k) => resolveEdges(item, final && k === last)) };
    }
    case 'alt':
      return { kind: 'alt', alts: node.alts.map((alt) => resolveEdges(alt, final)) };
    case 'repeat':
      return { kind: 'repeat', op: node.op, body: resolveEdges(node.body, final && node.op === '?') };
    case 'set':
    case 'split':
      return node;
  }
}
