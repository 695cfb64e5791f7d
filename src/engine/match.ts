// Regex conditions: report invalid patterns the way
// procmail does, and run procmail's weighted-scoring loop over successive matches.
import type { CompiledRegex } from '../regex/index.ts';
import type { LogFn } from './effects.ts';

// The regex engine (re2js, the largest module) is loaded on the first regex condition, so a
// run whose rc tests nothing does not pay for it at start-up. Once loaded, matching is
// synchronous: conditions are evaluated for every recipe of every message.
let regexModule: typeof import('../regex/index.ts') | undefined;

/** Loads the regex engine: a promise the first time, undefined once it is there. */
export function regexLoading(): Promise<void> | undefined {
  if (regexModule) return undefined;
  return import('../regex/index.ts').then((m) => {
    regexModule = m;
  });
}

const MAX32 = 2147483647;
const MIN32 = -2147483647;

function compile(re: string, caseSensitive: boolean, log: LogFn, quotedStart = false): CompiledRegex {
  if (!regexModule) throw new Error('the regex engine is not loaded (await regexLoading() first)');
  const c = regexModule.compileProcmailRegex(re, { caseSensitive, quotedStart }); // cached there
  // procmail compiles at every evaluation, so it complains every time
  if (c.invalid !== undefined) log(`procmail: ${c.invalid}\n`);
  return c;
}

export interface ConditionMatch {
  matched: boolean;
  /** MATCH value when the pattern extracts (`\/`) and matched. */
  match?: string;
}

export function matchCondition(re: string, caseSensitive: boolean, text: string, log: LogFn, quotedStart = false): ConditionMatch {
  if (re === '') return { matched: true };
  const c = compile(re, caseSensitive, log, quotedStart);
  if (!c.extracts) return { matched: c.test(text) };
  const m = c.exec(text);
  if (!m) return { matched: false };
  return { matched: true, match: m.match };
}

/**
 * A weighted regex condition `w^x re`: the first match adds w, the k-th w*x^(k-1); procmail
 * stops early when the series converges or a match is empty.
 */
export function scoreRegex(
  re: string, caseSensitive: boolean, text: string,
  weightIn: number, xponent: number, scoreIn: number, log: LogFn, quotedStart = false,
): { score: number; match?: string } {
  let score = scoreIn;
  let weight = weightIn;
  if (weight === 0) return { score };
  let match: string | undefined;
  if (re === '') {
    // an empty pattern matches the empty string at once: procmail's "break off empty"
    score += weight;
    weight *= xponent;
    return { score: emptyTail(score, weight, xponent) };
  }
  const c = compile(re, caseSensitive, log, quotedStart);
  // procmail's loop: search again only while the weight and the score still matter
  const searches = c.scan(text);
  let oweight = weight * weight;
  while (weight !== 0 && MIN32 < score && score < MAX32) {
    const next = searches.next();
    if (next.done) break;
    if (next.value.match !== undefined) match = next.value.match;
    score += weight;
    weight *= xponent;
    if (next.value.endless) {
      score = emptyTail(score, weight, xponent);
      break;
    }
    const nweight = weight * weight;
    if (nweight < oweight && oweight < 1) break;
    oweight = nweight;
  }
  return { score, match };
}

function emptyTail(score: number, weight: number, xponent: number): number {
  if (0 < xponent && xponent < 1) return score + weight / (1 - xponent);
  if (xponent >= 1 && weight !== 0) return score + (weight < 0 ? MIN32 : MAX32);
  return score;
}
