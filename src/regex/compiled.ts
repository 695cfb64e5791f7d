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
import { frameArea } from './frame.ts';
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

interface SearchHit {
  /** Where the match ends, as an offset into the area (may be one past its end). */
  end: number;
  match?: string;
}

const NEVER: Program = { test: () => false, find: () => null };

export class ProcmailRegex {
  readonly extracts: boolean;
  readonly invalid?: string;
  readonly unsupported?: string;
  readonly expanded: string;
  private readonly whole: Program;
  private earliestEndProgram?: Program;
  private endAnchoredProgram?: Program | null;
  private extractProgram?: Program | null;

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
    return this.whole.test(frameArea(text));
  }

  exec(text: string): MatchResult | null {
    const framed = frameArea(text);
    if (!this.whole.test(framed)) return null;
    if (!this.extracts) return {};
    const hit = this.extractAt(framed, text, 0);
    return hit === null ? {} : { match: hit.match! };
  }

  count(text: string, limit = Infinity): number {
    const result = this.countMatches(text, limit);
    return result.endless ? Infinity : result.count;
  }

  countMatches(text: string, limit = Infinity): CountResult {
    const framed = frameArea(text);
    const result: CountResult = { count: 0, endless: false };
    if (!this.whole.test(framed)) return result;
    let from = 0;
    // procmail keeps searching while the rest of the area is not "negative": once a match
    // has taken the virtual newline after the area, its end is past the area and it stops
    while (result.count < limit && from <= text.length) {
      const hit = this.searchFrom(framed, text, from);
      if (hit === null) break;
      result.count++;
      if (hit.match !== undefined) result.match = hit.match;
      if (hit.end <= from) {
        result.endless = true;
        break;
      }
      from = hit.end;
    }
    return result;
  }

  /** One procmail search of the area from offset `from`. */
  private searchFrom(framed: string, text: string, from: number): SearchHit | null {
    // framed[k] is text[k - 1]; the search may start on the newline just before `from`
    const start = from === 0 ? 0 : text.charCodeAt(from - 1) === NEWLINE ? from : from + 1;
    if (this.extracts) {
      const hit = this.extractAt(framed, text, start);
      if (hit !== null) return hit;
    }
    const input = start === 0 ? framed : framed.slice(start);
    const m = this.earliestEnd().find(input);
    if (m === null) return null;
    const end = start + m.start; // in framed coordinates
    if (end === framed.length && this.endAnchored()?.test(input)) {
      // a final `^^` ends the match at the end of the area, not after the virtual newline
      return { end: text.length };
    }
    return { end: end - 1 };
  }

  /** The extraction search from framed offset `start`: MATCH and where procmail says it ends. */
  private extractAt(framed: string, text: string, start: number): SearchHit | null {
    const program = this.extractor();
    if (program === null) return null;
    const m = program.find(start === 0 ? framed : framed.slice(start));
    if (m === null) return null;
    const from = Math.max(start + m.start - 1, 0);
    const to = Math.min(start + m.end - 1, text.length);
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
