// Regex conditions: compile once per (pattern, case mode), report invalid patterns the way
// procmail does, and run procmail's weighted-scoring loop over successive matches.
import { compileProcmailRegex, type CompiledRegex } from '../regex/index.ts';
import type { LogFn } from './effects.ts';

const MAX32 = 2147483647;
const MIN32 = -2147483647;

const cache = new Map<string, CompiledRegex>();

function compile(re: string, caseSensitive: boolean, log: LogFn): CompiledRegex {
  const key = (caseSensitive ? 'D' : 'i') + re;
  let c = cache.get(key);
  if (!c) {
    c = compileProcmailRegex(re, { caseSensitive });
    if (cache.size > 1000) cache.clear();
    cache.set(key, c);
  }
  // procmail compiles at every evaluation, so it complains every time
  if (c.invalid !== undefined) log(`procmail: Invalid regexp "${re}"\n`);
  return c;
}

export interface ConditionMatch {
  matched: boolean;
  /** MATCH value when the pattern extracts (`\/`) and matched. */
  match?: string;
}

export function matchCondition(re: string, caseSensitive: boolean, text: string, log: LogFn): ConditionMatch {
  if (re === '') return { matched: true };
  const c = compile(re, caseSensitive, log);
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
  weightIn: number, xponent: number, scoreIn: number, log: LogFn,
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
  const c = compile(re, caseSensitive, log);
  if (c.extracts) {
    const m = c.exec(text);
    if (m) match = m.match;
  }
  const emptyMatches = c.test('');
  // count at most as many matches as can still change the score
  const n = c.count(text, 100000);
  let oweight = weight * weight;
  for (let k = 0; k < n; k++) {
    if (!(MIN32 < score && score < MAX32)) break;
    score += weight;
    weight *= xponent;
    if (emptyMatches && k === 0 && n === 1) {
      score = emptyTail(score, weight, xponent);
      break;
    }
    const nweight = weight * weight;
    if (nweight < oweight && oweight < 1) break;
    oweight = nweight;
    if (weight === 0) break;
  }
  return { score, match };
}

function emptyTail(score: number, weight: number, xponent: number): number {
  if (0 < xponent && xponent < 1) return score + weight / (1 - xponent);
  if (xponent >= 1 && weight !== 0) return score + (weight < 0 ? MIN32 : MAX32);
  return score;
}
