// The linear-time engine behind procmail patterns. Rc patterns are untrusted, so they only
// ever run on an RE2-class engine (never V8's backtracking RegExp). re2js is pure JS and
// always installed; a native RE2 binding could implement the same two calls.
import { RE2JS } from 're2js';

export interface ProgramOptions {
  /** Leftmost-longest instead of leftmost-first. */
  longest?: boolean;
  /** The source uses `(?<=...)`. */
  lookbehind?: boolean;
}

export interface Program {
  /** Is there a match anywhere in the input? */
  test(input: string): boolean;
  /** The first match as [start, end) offsets, or null. */
  find(input: string): { start: number; end: number } | null;
}

export interface RegexBackend {
  readonly name: string;
  /** Throws when the engine cannot take the source (e.g. nesting too deep). */
  compile(source: string, options?: ProgramOptions): Program;
}

export const re2jsBackend: RegexBackend = {
  name: 're2js',
  compile(source, options = {}) {
    let flags = 0;
    if (options.longest) flags |= RE2JS.LONGEST_MATCH;
    if (options.lookbehind) flags |= RE2JS.LOOKBEHINDS;
    const re = RE2JS.compile(source, flags);
    return {
      test: (input) => re.test(input),
      find(input) {
        const m = re.matcher(input);
        return m.find() ? { start: m.start(), end: m.end() } : null;
      },
    };
  },
};
