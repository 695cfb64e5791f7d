// procmail's egrep dialect on a linear-time engine.
//
//   translate.ts  dialect -> RE2 programs (macros.ts, parse.ts, charset.ts underneath)
//   compiled.ts   procmail's search semantics on top of those programs
//   frame.ts      the virtual newlines around an area
//   backend.ts    the RE2-class engine (re2js)
//
// Texts are latin1 strings (one char per byte). Compiled patterns are cached, so callers
// may compile at every evaluation, as procmail does.
import { re2jsBackend, type RegexBackend } from './backend.ts';
import { type CountResult, type MatchResult, ProcmailRegex, type ScanHit } from './compiled.ts';
import { translateProcmailRegex } from './translate.ts';

export type { CountResult, MatchResult, ScanHit } from './compiled.ts';
export { expandMacros } from './macros.ts';
export { translateProcmailRegex, type Translation } from './translate.ts';
export type { RegexBackend } from './backend.ts';

export interface CompiledRegex {
  /** The pattern had `\/`: a successful exec() sets MATCH. */
  readonly extracts: boolean;
  /**
   * procmail's "Invalid regexp" diagnosis (the pattern is still usable, as procmail uses it):
   * the log line without its `procmail: ` prefix, `Invalid regexp "<pattern after macro
   * expansion>"`. procmail logs it at every evaluation.
   */
  readonly invalid?: string;
  /** The backend could not compile the pattern (absurd nesting): it never matches. */
  readonly unsupported?: string;
  /** The pattern after macro expansion (what procmail compiles). */
  readonly expanded: string;
  /** Does the pattern match somewhere in `text` (a latin1 string: one char per byte)? */
  test(text: string): boolean;
  /** Match and extract MATCH; null when there is no match. */
  exec(text: string): MatchResult | null;
  /**
   * Number of non-overlapping matches, for weighted scoring (stops counting at `limit`);
   * Infinity when procmail would treat the matches as endless (see countMatches).
   */
  count(text: string, limit?: number): number;
  /** procmail's scoring search in full: count, endless flag and the MATCH it leaves. */
  countMatches(text: string, limit?: number): CountResult;
  /**
   * The same searches one at a time, for a scoring loop that stops where procmail's does
   * (the MATCH a `\/` pattern leaves is that of the last search made).
   */
  scan(text: string): Generator<ScanHit, void, undefined>;
}

export interface RegexOptions {
  /** D flag: case-sensitive. procmail is case-insensitive by default. */
  caseSensitive: boolean;
  /**
   * The condition started with a quoting backslash that the caller removed (`* \^TO_x`):
   * procmail then does not expand a macro right at the start of the pattern.
   */
  quotedStart?: boolean;
}

const CACHE_LIMIT = 1000;
const cache = new Map<string, CompiledRegex>();
let backend: RegexBackend = re2jsBackend;

export function compileProcmailRegex(pattern: string, options: RegexOptions): CompiledRegex {
  const key = (options.caseSensitive ? 'D' : 'i') + (options.quotedStart ? 'q' : '-') + pattern;
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = new ProcmailRegex(translateProcmailRegex(pattern, options), backend);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, compiled);
  }
  return compiled;
}

/** Swap the engine (e.g. a native RE2 binding); clears the cache. */
export function setRegexBackend(next: RegexBackend): void {
  backend = next;
  cache.clear();
}
