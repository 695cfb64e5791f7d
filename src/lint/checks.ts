// The checks made on each recipe as it is read: flags, conditions, the action. They see the
// variables as far as they are known at that point of the rcfile.
import { existsSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { parseFolderName } from '../deliver/folders.ts';
import { isAddressPattern, matchesEverything, regexProblem, scanRegex, splitCondition, type ConditionParts } from './conditions.ts';
import type { CheckId, Recipe, Severity } from './model.ts';
import type { RcParser } from './parse.ts';
import { backticks, unsafeUses } from './shell.ts';

export interface CheckContext {
  report(at: number, severity: Severity, check: CheckId, message: string): void;
  /** Variables holding text from the message. */
  tainted: ReadonlySet<string>;
}

const has = (flags: string, f: string) => flags.includes(f);

/** Does this recipe hand the message over (so that, without c, processing ends)? */
export function isDelivering(r: Recipe): boolean {
  const k = r.action.kind;
  if (k === 'folder' || k === 'forward') return !r.action.captureVar;
  if (k === 'pipe') return !has(r.flags, 'f');
  return false;
}

/** Where a flag letter is written in the header (the header's start when not found). */
function flagAt(r: Recipe, letter: string): number {
  const i = r.header.replace(/^[ \t]*[+-]?\d*/, (m) => ' '.repeat(m.length)).indexOf(letter);
  return i < 0 ? r.at : r.flagsAt + i;
}

const isCapture = (r: Recipe) => r.action.captureVar !== undefined;

function checkFlags(r: Recipe, ctx: CheckContext): void {
  const f = r.flags;
  const at = r.at;
  const k = r.action.kind;
  if (has(f, 'e') && has(f, 'E')) ctx.report(flagAt(r, 'E'), 'warning', 'flags', 'flags E and e conflict: procmail ignores E (Conflicting else-if-flag suppressed)');
  if (has(f, 'e') && has(f, 'a')) ctx.report(flagAt(r, 'a'), 'warning', 'flags', 'flags a and e conflict: procmail ignores a (Conflicting also-if-succeeded-flag suppressed)');
  if (k === 'folder' && has(f, 'f')) ctx.report(flagAt(r, 'f'), 'warning', 'flags', 'flag f has no effect on a folder (Extraneous filter-flag ignored)');
  if (k === 'folder' && (has(f, 'w') || has(f, 'W'))) {
    const w = has(f, 'w') ? 'w' : 'W';
    ctx.report(flagAt(r, w), 'warning', 'flags', `flag ${w} has no effect on a folder`);
  }
  if (k === 'pipe' && has(f, 'f') && has(f, 'c')) ctx.report(flagAt(r, 'c'), 'warning', 'flags', 'flag c has no effect on a filter (Extraneous copy-flag ignored)');
  if (k === 'capture' && has(f, 'c')) ctx.report(flagAt(r, 'c'), 'warning', 'flags', 'flag c has no effect on a capture VAR=| (Extraneous copy-flag ignored)');
  if (k === 'block') {
    for (const [flag, name] of [['h', 'deliver-head'], ['b', 'deliver-body'], ['i', 'ignore-write-error'], ['r', 'raw-mode']] as const) {
      if (has(f, flag)) ctx.report(flagAt(r, flag), 'warning', 'flags', `flag ${flag} has no effect on a block (Extraneous ${name} flag ignored)`);
    }
    if (r.lockfile !== undefined && !has(f, 'c')) ctx.report(at, 'warning', 'flags', 'a local lockfile has no effect on a block without c (Extraneous locallockfile ignored)');
  }
  // h or b alone on a folder or forward: the other part is not written anywhere (a pipe
  // that gets only one part usually wants exactly that: formail -D, digest splitters)
  if ((k === 'folder' || k === 'forward') && !isCapture(r) && !has(f, 'c') && has(f, 'h') !== has(f, 'b')) {
    ctx.report(flagAt(r, has(f, 'h') ? 'h' : 'b'), 'warning', 'flags', has(f, 'h')
      ? 'flag h without b delivers only the header: the body of the message is lost'
      : 'flag b without h delivers only the body: the header of the message is lost');
  }
}

function checkMboxLock(r: Recipe, p: RcParser, ctx: CheckContext): void {
  const a = r.action;
  if (a.kind !== 'folder' || r.lockfile !== undefined) return;
  const first = a.words?.[0];
  if (!first) return;
  const { kind, path } = parseFolderName(first);
  if (kind !== 'file' || path === '/dev/null') return;
  // a global LOCKFILE serialises every delivery (and when it may be set, do not guess)
  const lockfile = p.vars.text('LOCKFILE');
  if (lockfile === undefined || lockfile !== '') return;
  const maildir = p.vars.text('MAILDIR');
  if (!a.unresolved && (path.startsWith('/') || maildir !== undefined)) {
    const abs = posix.resolve(maildir ?? '/', path);
    if (existsSync(abs) && statSync(abs).isDirectory()) return; // a directory folder
  }
  ctx.report(a.at, 'warning', 'mbox-lock', `delivery to the mbox "${first}" without a lockfile: write ":0:" so that two deliveries cannot mix their messages`);
}

async function checkConditions(r: Recipe, p: RcParser, ctx: CheckContext): Promise<void> {
  const parts: (ConditionParts | null)[] = [];
  for (const c of r.conditions) {
    const cp = await splitCondition(c.text, async (s) => {
      const e = await p.parseString('"' + s, 'keep', c.at);
      return e.unresolved ? undefined : e.text.replace(/\0$/, '').replace(/\0/g, ' ');
    });
    parts.push(cp);
    if (cp === null) {
      // a `$` condition whose text comes from the message: check what procmail substitutes
      const dollar = c.text.indexOf('$');
      const rest = c.text.slice(dollar + 1).replace(/^[ \t]*(!?[ \t]*)*/, '');
      if (rest.startsWith('?')) reportUnsafe(ctx, c.at + c.text.indexOf('?') + 1, rest.slice(1), p.isShell(rest.slice(1)), true);
      continue;
    }
    const bodyAt = cp.bodyAt < 0 ? c.at : c.at + cp.bodyAt;
    if (cp.kind === 'program') {
      reportUnsafe(ctx, bodyAt, cp.body, p.isShell(cp.body), cp.expanded);
      continue;
    }
    if (cp.kind === 'size') {
      if (!cp.weighted && cp.sizeOp === '<' && (cp.sizeValue ?? 0) <= 0 && !cp.negate) {
        ctx.report(c.at, 'warning', 'never-matches', `"${c.text}" can never match: a message is never shorter than ${cp.sizeValue} bytes`);
      }
      continue;
    }
    const re = cp.body;
    const prob = regexProblem(re, has(r.flags, 'D'), cp.quotedStart);
    if (prob.invalid) ctx.report(bodyAt, 'error', 'regex', `invalid regular expression: procmail logs ${prob.invalid} at every message and uses what it understood`);
    if (prob.unsupported) ctx.report(bodyAt, 'warning', 'never-matches', `this regular expression cannot be compiled: it never matches (${prob.unsupported})`);
    if (cp.negate && !cp.weighted && matchesEverything(re)) {
      ctx.report(c.at, 'warning', 'never-matches', `"${c.text}" can never match: "${re}" matches every text`);
    }
    const scan = scanRegex(re);
    const where = (i: number) => (cp.bodyAt < 0 ? c.at : bodyAt + i);
    if (isAddressPattern(re)) {
      for (const i of scan.dots) {
        // the whole dotted name around it, with every unescaped dot in it escaped
        const word = /[A-Za-z0-9.-]*$/.exec(re.slice(0, i))![0] + '.' + /^[A-Za-z0-9.-]*/.exec(re.slice(i + 1))![0];
        ctx.report(where(i), 'warning', 'address-dot', `unescaped "." matches any character: for the literal "${word}" write "${word.replace(/\./g, '\\.')}"`);
        break; // one per condition is enough to make the point
      }
    }
    for (const pc of scan.posixClasses) {
      ctx.report(where(pc.at), 'warning', 'regex', `procmail has no POSIX classes: "${pc.text}" means one of the characters "${pc.text.slice(1, -2)}" followed by "]"`);
    }
    for (const iv of scan.intervals) {
      ctx.report(where(iv.at), 'warning', 'regex', `procmail has no {n,m} repetition: "${iv.text}" matches that text literally`);
    }
  }
  checkImpossible(r, parts, ctx);
}

/** Conditions that cannot all hold together. */
function checkImpossible(r: Recipe, parts: (ConditionParts | null)[], ctx: CheckContext): void {
  const plain = parts.map((p, i) => ({ p, c: r.conditions[i]! })).filter((x) => x.p && !x.p.weighted) as { p: ConditionParts; c: Recipe['conditions'][number] }[];
  // the same regex wanted and not wanted
  for (const a of plain) {
    if (a.p.kind !== 'regex' || a.p.negate) continue;
    const b = plain.find((x) => x.p.kind === 'regex' && x.p.negate && x.p.body === a.p.body && x.p.area === a.p.area && !x.p.expanded && !a.p.expanded);
    if (b) {
      ctx.report(r.at, 'warning', 'never-matches', `this recipe can never match: "${a.c.text}" and "${b.c.text}" contradict each other`);
      return;
    }
  }
  // a size window that is empty
  let min = -Infinity;
  let max = Infinity;
  for (const { p } of plain) {
    if (p.kind !== 'size' || p.negate) continue;
    if (p.sizeOp === '>') min = Math.max(min, (p.sizeValue ?? 0) + 1);
    else max = Math.min(max, (p.sizeValue ?? 0) - 1);
  }
  if (min > max && min !== -Infinity && max !== Infinity) {
    ctx.report(r.at, 'warning', 'never-matches', `this recipe can never match: no message size is both at least ${min} and at most ${max} bytes`);
    return;
  }
  // weighted conditions that can only lower the score: it never gets above 0
  const weighted = parts.filter((p): p is ConditionParts => p !== null && p.weighted);
  if (weighted.length && parts.every((p) => p !== null) && weighted.every(cannotAddToScore)) {
    ctx.report(r.at, 'warning', 'never-matches', 'this recipe can never match: its weights can only lower the score, and a recipe needs a score above 0');
  }
}

function cannotAddToScore(p: ConditionParts): boolean {
  if (p.weight > 0) return false;
  if (p.kind === 'size') return true;
  if (p.kind === 'program' && !p.negate) return p.xponent <= 0;
  return p.xponent >= 0;
}

function reportUnsafe(ctx: CheckContext, at: number, command: string, shell: boolean, preExpanded: boolean): void {
  for (const u of unsafeUses(command, ctx.tainted, shell, preExpanded)) ctx.report(at + u.at, 'warning', 'unsafe-shell', u.message);
}

function checkActionSafety(r: Recipe, p: RcParser, ctx: CheckContext): void {
  const a = r.action;
  switch (a.kind) {
    case 'pipe':
    case 'capture':
      reportUnsafe(ctx, a.rawAt, a.raw, !!a.shell, false);
      break;
    case 'forward':
      for (const ref of a.raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
        if (ctx.tainted.has(ref[1]!)) {
          ctx.report(a.rawAt + ref.index!, 'warning', 'unsafe-shell', `forwarding to header-derived $${ref[1]}: the message chooses where it is sent`);
        }
      }
      break;
    case 'folder':
      for (const b of backticks(a.raw)) reportUnsafe(ctx, a.rawAt + b.at, b.command, p.isShell(b.command), false);
      break;
    default:
      break;
  }
}

/** Everything checked when a recipe has been read. */
export async function checkRecipe(r: Recipe, p: RcParser, ctx: CheckContext): Promise<void> {
  checkFlags(r, ctx);
  await checkConditions(r, p, ctx);
  checkMboxLock(r, p, ctx);
  checkActionSafety(r, p, ctx);
}
