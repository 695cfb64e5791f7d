// procmail egrep dialect -> RE2 syntax. The one place that knows both languages.
//
// A pattern becomes a handful of RE2 programs, all run on the framed area text (see
// frame.ts: the area between two virtual newline characters):
//
// - `whole`: the pattern with `\/` dropped. "Does it match anywhere" is all a plain
//   condition needs, and RE2 answers that on its DFA.
// - `earliestEnd`: `(?<=whole)`. procmail's matcher stops at the first text position where
//   any match ends (leftmost-shortest by end, src/regexp.c); the first position where this
//   lookbehind holds is that end. Weighted scoring counts matches this way.
// - `extract`: for `L\/R`, `(?<=L)R` run leftmost-longest. procmail reports as MATCH the
//   right part starting at the earliest position where some match of L ends and an R match
//   begins, extended as far as R can go from there; leftmost-longest over this program is
//   exactly that (verified against the binary: `(wzv|z)\/.*` on "wzvq" gives "vq").
// - `branches` (only when some ways through the pattern pass a `\/` and others do not):
//   procmail returns without setting MATCH when a match that passed no `\/` ends first.
// - `wholeEndAnchored` (only when the pattern ends in `^^`): as `whole`, but the virtual
//   newline after the area may only be taken by that `^^`. procmail ends such a match one
//   position earlier (`^^` is zero-width there), which matters only for counting.
//
// Every procmail item is a set of bytes (charset.ts): letters are folded by listing both
// cases (ASCII only, C locale), so RE2's own Unicode case folding is never used.
import { type ByteSet, NEWLINE, setSize, toRanges } from './charset.ts';
import { AREA_END_CODE, AREA_START_CODE } from './frame.ts';
import { expandMacros } from './macros.ts';
import { type Node, parseProcmailPattern } from './parse.ts';

export interface TranslateOptions {
  /** The `D` flag. */
  caseSensitive: boolean;
  /** The condition started with a quoting `\` that was removed (protects a macro at 0). */
  quotedStart?: boolean;
}

export interface Translation {
  /** The pattern after macro expansion: what procmail compiles and quotes in its log. */
  expanded: string;
  /** Case sensitivity in effect (`^FROM_DAEMON` forces insensitive matching). */
  caseSensitive: boolean;
  /** Unbalanced parentheses: procmail logs `Invalid regexp` and uses the pattern anyway. */
  invalid: boolean;
  /** The pattern contains `\/`. */
  extracts: boolean;
  whole: string;
  earliestEnd: string;
  wholeEndAnchored?: string;
  /** Leftmost-longest extraction program; absent when no `\/` can be honoured. */
  extract?: string;
  /**
   * Strings (lower-cased with toLowerCase) that every match contains: an area whose
   * lower-cased text lacks one of them cannot match, without running the program.
   */
  requiredLiterals: string[];
  /**
   * The ways through the pattern, in pattern order, each without its `\/` (present only
   * when some have a `\/` and some do not): which one ends first decides whether MATCH is set.
   */
  branches?: Branch[];
}

export interface Branch {
  /** This way through the pattern passes a `\/`. */
  splits: boolean;
  source: string;
}

export function translateProcmailRegex(pattern: string, options: TranslateOptions): Translation {
  const { pattern: expanded, forceCaseInsensitive } = expandMacros(pattern, options.quotedStart ?? false);
  const caseSensitive = options.caseSensitive && !forceCaseInsensitive;
  const { root, invalid } = parseProcmailPattern(expanded, !caseSensitive);
  const whole = emit(root, 'plain');
  const translation: Translation = {
    expanded,
    caseSensitive,
    invalid,
    extracts: hasNode(root, 'split', true),
    whole,
    earliestEnd: `(?<=${whole})`,
    requiredLiterals: requiredLiterals(root),
  };
  if (hasNode(root, 'eot', true)) translation.wholeEndAnchored = emit(root, 'end-anchored');
  if (translation.extracts) {
    const { extract, branches } = extraction(root);
    if (extract !== undefined) translation.extract = extract;
    if (extract !== undefined && branches.some((b) => !b.splits)) translation.branches = branches;
  }
  return translation;
}

// ---------------------------------------------------------------------------- prefilter

/**
 * The character every byte of `bits` lower-cases to, when they all do to the same one (a
 * literal, or a folded letter) and none is a newline (those also take the virtual ones).
 */
function literalChar(bits: ByteSet): string | undefined {
  let lowered: string | undefined;
  for (let b = 0; b < 256; b++) {
    if (!bits[b]) continue;
    if (b === NEWLINE) return undefined;
    const l = String.fromCharCode(b).toLowerCase();
    if (lowered !== undefined && l !== lowered) return undefined;
    lowered = l;
  }
  return lowered;
}

/** Runs of literal characters in the pattern's top-level sequence (two or more long). */
function requiredLiterals(root: Node): string[] {
  const items = root.kind === 'seq' ? root.items : [root];
  const out: string[] = [];
  let run = '';
  for (const item of items) {
    const c = item.kind === 'set' ? literalChar(item.bits) : undefined;
    if (c !== undefined) {
      run += c;
      continue;
    }
    if (run.length >= 2) out.push(run);
    run = '';
  }
  if (run.length >= 2) out.push(run);
  return out;
}

// ---------------------------------------------------------------------------- extraction

/** More ways through the pattern than this and only top-level `\/` are honoured. */
const MAX_EXTRACTION_BRANCHES = 64;

/**
 * `(?<=L1)R1|(?<=L2)R2|...`: one branch per way through the pattern that passes a `\/`.
 * procmail restarts MATCH at every `\/` it passes, so the last one in a branch splits it.
 * Groups holding a `\/` are distributed (`x(a\/b|c)` -> `xa\/b`, `xc`); a `\/` under a
 * repetition is ignored.
 */
function extraction(root: Node): { extract?: string; branches: Branch[] } {
  const ways = distribute(root) ?? topLevelBranches(root);
  const programs: string[] = [];
  const branches: Branch[] = [];
  for (const items of ways) {
    let split = -1;
    items.forEach((item, k) => {
      if (item.kind === 'split') split = k;
    });
    branches.push({ splits: split >= 0, source: emitItems(items, 'plain') });
    if (split < 0) continue;
    const left = emitItems(items.slice(0, split), 'plain');
    let right = emitItems(items.slice(split + 1), 'plain');
    const before = items[split - 1];
    if (before?.kind === 'repeat' && before.op === '+' && items.slice(split + 1).every(nullable)) {
      // procmail's known bug, reproduced: with `x+\/` and a right part that can be empty,
      // the loop goes on after the first match and the threads it spawns keep that match's
      // start, so MATCH grows over further x's (`^Subject: +\/b*` on "Subject:   s" is "  ")
      right = emitRepeat('*', before.body, 'plain') + right;
    }
    programs.push(left === '' ? right : `(?<=${left})${right}`);
  }
  return programs.length > 0 ? { extract: programs.join('|'), branches } : { branches };
}

function topLevelBranches(root: Node): Node[][] {
  const alts = root.kind === 'alt' ? root.alts : [root];
  return alts.map(flattenItems);
}

/** The pattern as a list of flat sequences, distributing groups that contain a `\/`. */
function distribute(node: Node): Node[][] | undefined {
  const alts = node.kind === 'alt' ? node.alts : [node];
  const out: Node[][] = [];
  for (const alt of alts) {
    let partial: Node[][] = [[]];
    for (const item of flattenItems(alt)) {
      if (item.kind === 'alt' && hasNode(item, 'split', false)) {
        const inner = distribute(item);
        if (inner === undefined) return undefined;
        partial = partial.flatMap((prefix) => inner.map((tail) => [...prefix, ...tail]));
      } else {
        for (const prefix of partial) prefix.push(item);
      }
      if (partial.length > MAX_EXTRACTION_BRANCHES) return undefined;
    }
    out.push(...partial);
    if (out.length > MAX_EXTRACTION_BRANCHES) return undefined;
  }
  return out;
}

function nullable(node: Node): boolean {
  switch (node.kind) {
    case 'split':
      return true;
    case 'seq':
      return node.items.every(nullable);
    case 'alt':
      return node.alts.some(nullable);
    case 'repeat':
      return node.op !== '+' || nullable(node.body);
    default:
      return false;
  }
}

function flattenItems(node: Node): Node[] {
  return node.kind === 'seq' ? node.items.flatMap(flattenItems) : [node];
}

/** Is there a node of this kind, optionally also under repetitions? */
function hasNode(node: Node, kind: Node['kind'], underRepeat: boolean): boolean {
  if (node.kind === kind) return true;
  switch (node.kind) {
    case 'seq':
      return node.items.some((item) => hasNode(item, kind, underRepeat));
    case 'alt':
      return node.alts.some((alt) => hasNode(alt, kind, underRepeat));
    case 'repeat':
      return underRepeat && hasNode(node.body, kind, underRepeat);
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------- emission

/**
 * 'plain': a newline in a set also takes both virtual newlines.
 * 'end-anchored': the virtual newline after the area is only taken by a final `^^`.
 */
type Variant = 'plain' | 'end-anchored';

/** A set no character is in (RE2 accepts an empty negated-everything class). */
const NOTHING = '[^\\x00-\\x{10ffff}]';
const START = hexEscape(AREA_START_CODE);
const END = hexEscape(AREA_END_CODE);

function emit(node: Node, variant: Variant): string {
  switch (node.kind) {
    case 'set':
      return emitSet(node.bits, variant);
    case 'bot':
      return START;
    case 'eot':
      // the end of the area, or (procmail's quirk) the virtual newline before it, which is
      // all an end-of-area item can meet when the match has consumed nothing yet
      return `[${START}${END}]`;
    case 'split':
      return '';
    case 'seq':
      return emitItems(node.items, variant);
    case 'alt':
      return node.alts.map((alt) => emit(alt, variant)).join('|');
    case 'repeat':
      return emitRepeat(node.op, node.body, variant);
  }
}

function emitItems(items: Node[], variant: Variant): string {
  return items.map((item) => (item.kind === 'alt' ? `(?:${emit(item, variant)})` : emit(item, variant))).join('');
}

function emitRepeat(op: '*' | '+' | '?', body: Node, variant: Variant): string {
  // (x*)*, (x+)?, ... are all x*: collapse them so deep nests stay within RE2's limits
  while (body.kind === 'repeat') {
    op = op === body.op && op !== '*' ? op : '*';
    body = body.body;
  }
  const atom = body.kind === 'set' || body.kind === 'bot' || body.kind === 'eot';
  return (atom ? emit(body, variant) : `(?:${emit(body, variant)})`) + op;
}

function emitSet(bits: ByteSet, variant: Variant): string {
  const extra: string[] = [];
  if (bits[NEWLINE]) {
    extra.push(START);
    if (variant === 'plain') extra.push(END);
  }
  const size = setSize(bits);
  if (size === 0 && extra.length === 0) return NOTHING;
  if (size === 1 && extra.length === 0) return literal(toRanges(bits)[0]![0]);
  const body = toRanges(bits)
    .map(([lo, hi]) => (lo === hi ? classChar(lo) : hi === lo + 1 ? classChar(lo) + classChar(hi) : `${classChar(lo)}-${classChar(hi)}`))
    .join('');
  return `[${body}${extra.join('')}]`;
}

const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** Outside a class: letters and digits as they are, punctuation backslashed, the rest in hex. */
function literal(c: number): string {
  if (isAlnum(c) || c === 0x20) return String.fromCharCode(c);
  if (c > 0x20 && c < 0x7f) return '\\' + String.fromCharCode(c);
  return hexEscape(c);
}

function classChar(c: number): string {
  if (isAlnum(c)) return String.fromCharCode(c);
  if (c === NEWLINE) return '\\n';
  if (c === 0x09) return '\\t';
  return hexEscape(c);
}

function hexEscape(c: number): string {
  return `\\x{${c.toString(16).padStart(2, '0')}}`;
}
