// procmail's egrep dialect on a linear-time engine. See README in this folder.
// (interface first; implementation in progress)

export interface MatchResult {
  /** Text matched by the part after `\/` (only when the pattern has `\/`). */
  match?: string;
}

export interface CompiledRegex {
  /** The pattern had `\/`: a successful exec() sets MATCH. */
  readonly extracts: boolean;
  /** procmail's "Invalid regexp" diagnosis (the pattern is still usable, as procmail uses it). */
  readonly invalid?: string;
  /** Does the pattern match somewhere in `text` (a latin1 string: one char per byte)? */
  test(text: string): boolean;
  /** Match and extract MATCH; null when there is no match. */
  exec(text: string): MatchResult | null;
  /** Number of non-overlapping matches, for weighted scoring (stops counting at `limit`). */
  count(text: string, limit?: number): number;
}

export interface RegexOptions {
  /** D flag: case-sensitive. procmail is case-insensitive by default. */
  caseSensitive: boolean;
}

export declare function compileProcmailRegex(pattern: string, options: RegexOptions): CompiledRegex;
