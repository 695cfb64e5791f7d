// Running a translated pattern with procmail's search semantics (src/regexp.c, bregexec,
// and the scoring loop in src/misc.c):
//
// - A search looks at the area framed by virtual newlines and stops at the first position
//   where any match ends. Weighted scoring searches again from that end, so it counts
//   non-overlapping matches chosen by earliest end (`1^1 a.*b|c` counts 2 in "acab").
// - A later search gets the virtual newline in front only when it starts right after a
//   newline, and then it is that real newline, so `^` can reuse it (`1^1 ^.*$` counts every
//   line, plus one for the empty rest after the last newline).
// - A match that ends where its search started makes procmail stop counting and add the
//   rest of the weight series as if it repeated forever ("endless").
// - MATCH is clipped to the area (the virtual newlines are never part of it).
import type { Program, RegexBackend } from './backend.ts';
import { NEWLINE } from './charset.ts';
import { AREA_END, frameArea, lowerArea } from './frame.ts';
import type { Translation } from './translate.ts';

export interface MatchResult {
  /** Text matched by the part after `\/` (only when the pattern has `\/`). */
  match?: string;
}

export interface CountResult {
  /** Matches found, each search starting where the previous match ended. */
  count: number;
  /**
   * The last match counted ended where its search began: procmail stops counting and adds
   * the tail of the weight series as if the match repeated forever.
   */
  endless: boolean;
  /** MATCH as the last extracting search left it (patterns with `\/`). */
  match?: string;
}

export interface ScanHit {
  /**
   * This match ended where its search began: procmail stops here and adds the tail of the
   * weight series as if the match repeated forever.
   */
  endless: boolean;
  /** MATCH after this search (patterns with `\/`; absent when this search set none). */
  match?: string;
}

interface SearchHit {
  /** Where the match ends, as an offset into the area (may be one past its end). */
  end: number;
  match?: string;
}

const NEVER: Program = { test: () => false, find: () => null };

/** One procmail search: the text it sees and how its offsets map back to the area. */
interface Search {
  input: string;
  /** Area offset of input offset 0 (input offset j is area offset base + j). */
  base: number;
  /** procmail's `pend` as an input offset: a `\/` passed there or later was "never passed". */
  pend: number;
}

/**
 * What procmail's search from area offset `from` looks at (src/regexp.c, bregexec): the
 * virtual newline before the area (from 0), or the real newline just before `from`, or
 * nothing; then the rest and the virtual newline after it. An empty rest is the exception:
 * it always gets a leading newline, and its `pend` falls on the final virtual newline.
 */
function searchAt(framed: string, text: string, from: number): Search {
  if (from === 0) return { input: framed, base: -1, pend: framed.length };
  const start = text.charCodeAt(from - 1) === NEWLINE ? from : from + 1; // framed[k] is text[k - 1]
  if (from === text.length && start > from) return { input: '\n' + AREA_END, base: from, pend: 1 };
  const input = framed.slice(start);
  return { input, base: start - 1, pend: input.length };
}

export class ProcmailRegex {
  readonly extracts: boolean;
  readonly invalid?: string;
  readonly unsupported?: string;
  readonly expanded: string;
  private readonly whole: Program;
  private earliestEndProgram?: Program;
  private endAnchoredProgram?: Program | null;
  private extractProgram?: Program | null;
  private readonly branchPrograms = new Map<'plain' | 'split' | number, Program>();

  constructor(private readonly translation: Translation, private readonly backend: RegexBackend) {
    this.expanded = translation.expanded;
    this.extracts = translation.extracts;
    if (translation.invalid) this.invalid = `Invalid regexp "${translation.expanded}"`;
    let whole = NEVER;
    try {
      whole = backend.compile(translation.whole);
    } catch (err) {
      // procmail would run it; we cannot, so it never matches and the caller is told
      this.unsupported = `pattern too complex for ${backend.name}: ${(err as Error).message}`;
    }
    this.whole = whole;
  }

  test(text: string): boolean {
    return this.mayMatch(text) && this.whole.test(frameArea(text));
  }

  /** False when the area lacks a literal every match contains (no need to run the program). */
  private mayMatch(text: string): boolean {
    const literals = this.translation.requiredLiterals;
    if (!literals.length) return true;
    const lowered = lowerArea(text);
    for (let k = 0; k < literals.length; k++) if (!lowered.includes(literals[k]!)) return false;
    return true;
  }

  exec(text: string): MatchResult | null {
    if (!this.mayMatch(text)) return null;
    const framed = frameArea(text);
    if (!this.whole.test(framed)) return null;
    if (!this.extracts || !this.extractionFirst(framed, this.earliestEndOf(framed))) return {};
    const hit = this.extractIn({ input: framed, base: -1, pend: framed.length }, text);
    return hit?.match === undefined ? {} : { match: hit.match };
  }

  count(text: string, limit = Infinity): number {
    const result = this.countMatches(text, limit);
    return result.endless ? Infinity : result.count;
  }

  countMatches(text: string, limit = Infinity): CountResult {
    const result: CountResult = { count: 0, endless: false };
    if (limit < 1) return result;
    for (const hit of this.scan(text)) {
      result.count++;
      if (hit.match !== undefined) result.match = hit.match;
      if (hit.endless) result.endless = true;
      if (result.count >= limit) break;
    }
    return result;
  }

  /**
   * procmail's scoring searches, one result per successful search, lazily: the caller can
   * stop asking exactly where procmail's loop stops searching (which decides MATCH).
   */
  *scan(text: string): Generator<ScanHit, void, undefined> {
    if (!this.mayMatch(text)) return;
    const framed = frameArea(text);
    if (!this.whole.test(framed)) return;
    // procmail searches on while the rest of the area is not "negative": a match that took
    // the virtual newline after the area ends past it, and that stops the loop
    for (let from = 0; from <= text.length; ) {
      const hit = this.searchFrom(framed, text, from);
      if (hit === null) return;
      const endless = hit.end <= from;
      yield hit.match === undefined ? { endless } : { endless, match: hit.match };
      if (endless) return;
      from = hit.end;
    }
  }

  /** One procmail search of the area from offset `from`. */
  private searchFrom(framed: string, text: string, from: number): SearchHit | null {
    const search = searchAt(framed, text, from);
    const { input } = search;
    // where the earliest match ends; only computed up front when branches compete
    let first = this.translation.branches === undefined ? undefined : this.earliestEndOf(input);
    if (this.extracts && this.extractionFirst(input, first)) {
      const hit = this.extractIn(search, text);
      if (hit !== null) return hit;
    }
    if (first === undefined) first = this.earliestEndOf(input);
    if (first === null) return null;
    if (first === input.length && this.endAnchored()?.test(input)) {
      // a final `^^` ends the match before the virtual newline after the area
      return { end: search.base + input.length - 1 };
    }
    return { end: search.base + first };
  }

  private earliestEndOf(input: string): number | null {
    const m = this.earliestEnd().find(input);
    return m === null ? null : m.start;
  }

  /**
   * Does a match that passed a `\/` end first (`first`: where the earliest match ends)?
   * procmail returns at once, without setting MATCH, when a match through a branch without
   * `\/` ends earlier; on a tie the branch that comes first in the pattern is the one
   * procmail's matcher meets first. The searches here look no further than `first`.
   */
  private extractionFirst(input: string, first: number | null | undefined): boolean {
    const branches = this.translation.branches;
    if (branches === undefined) return true;
    if (first === null || first === undefined) return false;
    const upToFirst = input.slice(0, first);
    const endsFirst = (which: 'plain' | 'split' | number): boolean =>
      this.branchProgram(which).find(upToFirst) !== null;
    if (!endsFirst('plain')) return true;
    if (!endsFirst('split')) return false;
    const k = branches.findIndex((_, j) => endsFirst(j));
    return k < 0 || branches[k]!.splits;
  }

  /** Earliest-end programs for the plain branches, the splitting ones, or branch k. */
  private branchProgram(which: 'plain' | 'split' | number): Program {
    let program = this.branchPrograms.get(which);
    if (program === undefined) {
      const branches = this.translation.branches!;
      const chosen =
        typeof which === 'number' ? [branches[which]!] : branches.filter((b) => b.splits === (which === 'split'));
      const source = `(?<=${chosen.map((b) => b.source).join('|')})`;
      program = this.compileOrNull(source, { lookbehind: true }) ?? NEVER;
      this.branchPrograms.set(which, program);
    }
    return program;
  }

  /** The extraction search: MATCH and where procmail says the match ends. */
  private extractIn(search: Search, text: string): SearchHit | null {
    const program = this.extractor();
    if (program === null) return null;
    const m = program.find(search.input);
    if (m === null) return null;
    // a `\/` passed at procmail's `pend` (past the area) counts as not passed: no MATCH
    if (m.start >= search.pend) return { end: search.base + m.end };
    const from = Math.max(search.base + m.start, 0);
    const to = Math.min(search.base + m.end, text.length);
    return { end: to, match: to > from ? text.slice(from, to) : '' };
  }

  private earliestEnd(): Program {
    if (this.earliestEndProgram === undefined) {
      try {
        this.earliestEndProgram = this.backend.compile(this.translation.earliestEnd, { lookbehind: true });
      } catch {
        // cannot happen for a pattern whose `whole` compiled; stay safe: leftmost-first ends
        const whole = this.whole;
        this.earliestEndProgram = {
          test: (input) => whole.test(input),
          find: (input) => {
            const m = whole.find(input);
            return m === null ? null : { start: m.end, end: m.end };
          },
        };
      }
    }
    return this.earliestEndProgram;
  }

  private endAnchored(): Program | null {
    if (this.endAnchoredProgram === undefined) {
      const source = this.translation.wholeEndAnchored;
      this.endAnchoredProgram = source === undefined ? null : this.compileOrNull(source, {});
    }
    return this.endAnchoredProgram;
  }

  private extractor(): Program | null {
    if (this.extractProgram === undefined) {
      const source = this.translation.extract;
      this.extractProgram =
        source === undefined ? null : this.compileOrNull(source, { longest: true, lookbehind: true });
    }
    return this.extractProgram;
  }

  private compileOrNull(source: string, options: { longest?: boolean; lookbehind?: boolean }): Program | null {
    try {
      return this.backend.compile(source, options);
    } catch {
      return null;
    }
  }
}
