// formail's command line, parsed by hand the way formail does it: clustered letters
// ("-rtk"), option arguments glued on or in the next word ("-D8192 cache", "-x Subject:"),
// numbers as options ("+1 -5"), and "-s" ending the options (the rest is the command).
import { at, bytes } from './cbytes.ts';
import { FieldList, addField, breakField, newField } from './fields.ts';
import type { Field, Link } from './fields.ts';
import { HELP, NAME, USAGE, VERSION } from './usage.ts';

export interface FormailOptions {
  split: boolean;
  /** Command run per message while splitting (empty: concatenate on stdout). */
  command: Buffer[];
  force: boolean;
  /** Escape bogus "From " lines (cleared by -b). */
  bogus: boolean;
  every: boolean;
  /** Bit 1: -t (trust the header sender); bit 2: -a Resent- (use Resent- fields). */
  headreply: number;
  digest: boolean;
  babyl: boolean;
  berkeley: boolean;
  nowait: boolean;
  childlimit: number;
  keepb: boolean;
  concatenate: boolean;
  zap: boolean;
  quiet: boolean;
  areply: boolean;
  /** -l folder (already truncated and detabbed), or null. */
  logsummary: Buffer | null;
  minfields: number;
  nrskip: number;
  nrtotal: number;
  escap: Buffer;
  /** -D: approximate cache size and the cache file as named. */
  maxlen: number;
  idcache: string | null;
  x: FieldList;
  X: FieldList;
  a: FieldList;
  A: FieldList;
  i: FieldList;
  I: FieldList;
  u: FieldList;
  U: FieldList;
  R: FieldList;
}

export type ParseOutcome =
  | { kind: 'ok'; opts: FormailOptions }
  /** Stop with this exit status after printing `stderr`. */
  | { kind: 'exit'; status: number; stderr: Buffer };

/** Opens (or creates) the -D cache when formail meets the option; false when it cannot. */
export type CacheOpener = (path: string) => boolean;

const EX_USAGE = 64;
const EX_CANTCREAT = 73;
/** -l folder names longer than this are cut (procmail's abstract column layout). */
export const MAX_FOLDER_LEN = 61;

export function defaultOptions(): FormailOptions {
  return {
    split: false, command: [], force: false, bogus: true, every: false, headreply: 0, digest: false,
    babyl: false, berkeley: false, nowait: false, childlimit: 0, keepb: false, concatenate: false,
    zap: false, quiet: true, areply: false, logsummary: null, minfields: 0, nrskip: 0, nrtotal: -1,
    escap: bytes('>'), maxlen: 0, idcache: null,
    x: new FieldList(), X: new FieldList(), a: new FieldList(), A: new FieldList(), i: new FieldList(),
    I: new FieldList(), u: new FieldList(), U: new FieldList(), R: new FieldList(),
  };
}

/** strtol(s+i, &end, 10): optional blanks and sign, digits; end = i when nothing converted. */
export function strtol(s: Uint8Array, i: number): { value: number; end: number } {
  let k = i;
  while (k < s.length && (s[k] === 0x20 || (s[k]! >= 0x09 && s[k]! <= 0x0d))) k++;
  let neg = false;
  if (s[k] === 0x2b || s[k] === 0x2d) neg = s[k++] === 0x2d;
  const digits = k;
  let v = 0;
  while (k < s.length && s[k]! >= 0x30 && s[k]! <= 0x39) v = v * 10 + (s[k++]! - 0x30);
  if (k === digits) return { value: 0, end: i };
  const LONG_MAX = 9223372036854775807;
  if (v > LONG_MAX) v = LONG_MAX;
  return { value: neg ? -v : v, end: k };
}

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/** strtol() with a C long's range and precision (FILENO counts in it). */
export function strtolBig(s: Uint8Array, i: number): { value: bigint; end: number } {
  let k = i;
  while (k < s.length && (s[k] === 0x20 || (s[k]! >= 0x09 && s[k]! <= 0x0d))) k++;
  let neg = false;
  if (s[k] === 0x2b || s[k] === 0x2d) neg = s[k++] === 0x2d;
  const digits = k;
  while (k < s.length && s[k]! >= 0x30 && s[k]! <= 0x39) k++;
  if (k === digits) return { value: 0n, end: i };
  let v = BigInt(Buffer.from(s.subarray(digits, k)).toString('latin1'));
  if (neg) v = -v;
  return { value: v > LONG_MAX ? LONG_MAX : v < LONG_MIN ? LONG_MIN : v, end: k };
}

class Usage extends Error {
  constructor(readonly prefix: string = '', readonly status = EX_USAGE, readonly usage = true) {
    super('usage');
  }
}

function invalidField(name: Uint8Array): Usage {
  return new Usage(`${NAME}: Invalid field-name: "${Buffer.from(name).toString('latin1')}"\n`);
}

/** detab(): tabs, newlines and other specials become blanks (keeps the abstract on one line). */
export function detab(b: Buffer): void {
  for (let k = 0; k < b.length; k++) {
    const c = b[k]!;
    if (c === 0) return; // C string ends here
    if (c === 0x09 || c === 0x0a || c === 0x0b || c === 0x0c || c === 0x0d) b[k] = 0x20;
  }
}

export function parseOptions(args: readonly Buffer[], openCache: CacheOpener): ParseOutcome {
  const o = defaultOptions();
  try {
    parseInto(o, args, openCache);
    return { kind: 'ok', opts: o };
  } catch (e) {
    if (!(e instanceof Usage)) throw e;
    return { kind: 'exit', status: e.status, stderr: bytes(e.prefix + (e.usage ? USAGE : '')) };
  }
}

function parseInto(o: FormailOptions, args: readonly Buffer[], openCache: CacheOpener): void {
  let ai = 0; // index of the current word
  let s: Buffer = Buffer.alloc(0); // the current word
  let p = 0; // position in it

  /** Qnext_arg(): an option argument is the rest of this word, or else the whole next word. */
  const nextArg = (): void => {
    if (p < s.length) return;
    if (++ai >= args.length) throw new Usage();
    s = args[ai]!;
    p = 0;
  };

  for (; ai < args.length; ai++) {
    s = args[ai]!;
    p = 0;
    let letter = at(s, p++);
    let numberFirst = false;
    if (letter === 0x2b /* + */) numberFirst = true;
    else if (letter !== 0x2d /* - */) throw new Usage();

    word: for (;;) {
      if (!numberFirst) letter = at(s, p++);
      const isNumber = numberFirst;
      numberFirst = false;
      if (!isNumber) {
        switch (String.fromCharCode(letter)) {
          case 't': o.headreply |= 1; continue word;
          case 'r': o.areply = true; continue word;
          case 'f': o.force = true; continue word;
          case 'e': o.every = true; continue word;
          case 'B': o.babyl = o.every = true; o.digest = true; continue word;
          case 'd': o.digest = true; continue word;
          case 'n': {
            o.nowait = true;
            nextArg();
            const n = strtol(s, p);
            o.childlimit = n.value;
            p = n.end;
            continue word;
          }
          case 'k': o.keepb = true; continue word;
          case 'c': o.concatenate = true; continue word;
          case 'z': o.zap = true; continue word;
          case 'q':
            o.quiet = true;
            if (at(s, p) === 0x2d) { p++; o.quiet = false; }
            continue word;
          case 'l': {
            nextArg();
            const folder = Buffer.from(s.subarray(p, Math.min(s.length, p + MAX_FOLDER_LEN)));
            detab(folder);
            o.logsummary = folder;
            break word;
          }
          case 's':
            o.split = true;
            if (p >= s.length) {
              o.command = args.slice(ai + 1).map((a) => Buffer.from(a));
              return;
            }
            throw new Usage();
          case 'h': case '?':
            throw new Usage(USAGE + HELP, EX_USAGE, false);
          case 'D': case 'm':
            nextArg();
            break;
          case 'b': o.bogus = false; continue word;
          case 'Y': o.berkeley = true; continue word;
          case 'p':
            nextArg();
            o.escap = Buffer.from(s.subarray(p));
            break word;
          case 'v':
            throw new Usage(VERSION, EX_USAGE, false);
          case 'a': case 'A': case 'i': case 'I': case 'x': case 'X': case 'u': case 'U': case 'R':
            nextArg();
            ai = fieldOption(o, letter, args, ai, s.subarray(p));
            break word;
          case '\0':
            break word;
          default:
            p--; // a number in the option letters: "-5" is a total
        }
      }
      // number:
      const c = at(s, p);
      if (c < 0x30 || c > 0x39) throw new Usage();
      const n = strtol(s, p);
      p = n.end;
      switch (letter) {
        case 0x2b: o.nrskip = n.value; break;
        case 0x44 /* D */: {
          o.maxlen = n.value;
          nextArg();
          const path = s.subarray(p).toString('latin1');
          if (!openCache(path)) throw new Usage(`${NAME}: Couldn't open "${path}"\n`, EX_CANTCREAT, false);
          o.idcache = path;
          break word;
        }
        case 0x6d /* m */: o.minfields = n.value; break;
        default: o.nrtotal = n.value;
      }
    }
  }
}

/**
 * -a -A -i -I -x -X -u -U -R: validate the field name and file it. Returns the index of the
 * word last used (-R may take its new name from the following word).
 */
function fieldOption(o: FormailOptions, letter: number, args: readonly Buffer[], ai: number, value: Buffer): number {
  const lnl = value.length;
  const id = breakField(value);
  switch (String.fromCharCode(letter)) {
    case 'a':
      if (id > 0) break;
      // the only partial name -a takes is "Resent-": reply to Resent- fields (with -t)
      if (id !== -7 || -id !== lnl || value.toString('latin1').toLowerCase() !== 'resent-') throw invalidField(value);
      o.headreply |= 2;
      return ai;
    case 'A':
      if (id <= 0) throw invalidField(value);
      break;
    case 'R':
      break;
    default: // -i -I -x -X -u -U: a complete field, or a name prefix running to the end
      if (-id !== lnl && id <= 0) throw invalidField(value);
  }
  const text = Buffer.concat([value, Buffer.from([0x0a])]);
  const f = addField(listFor(o, letter), text, false);
  if (letter !== 0x52 /* R */) return ai;

  // -R old new: the new name follows in the same word or is the next word
  const firstId = id;
  let k = f.idLen;
  const end = text.length;
  while (k < end && (text[k] === 0x20 || text[k] === 0x09 || text[k] === 0x0a)) k++;
  let i = breakField(text, k, end);
  let newName: Uint8Array;
  if (i < 0) {
    if (firstId > 0) throw invalidField(text.subarray(k, end)); // (formail shows the newline too)
    i = -i;
  }
  if (i) {
    newName = text.subarray(k, k + i);
  } else {
    if (end > k) throw invalidField(text.subarray(k, end)); // garbage after the old name
    if (++ai >= args.length) throw invalidField(Buffer.alloc(0));
    const next = args[ai]!;
    i = breakField(next);
    if (i === 0 && next.length) throw invalidField(next);
    if (i <= 0) {
      i = -i;
      if (firstId > 0) throw invalidField(next);
    }
    newName = next.subarray(0, i);
  }
  // the entry is "old name" + "new name", without a newline
  const renamed = newField(Buffer.concat([text.subarray(0, f.idLen), newName]), f.idLen);
  replaceLast(o.R, renamed);
  return ai;
}

function listFor(o: FormailOptions, letter: number): FieldList {
  switch (String.fromCharCode(letter)) {
    case 'a': return o.a;
    case 'A': return o.A;
    case 'i': return o.i;
    case 'I': return o.I;
    case 'x': return o.x;
    case 'X': return o.X;
    case 'u': return o.u;
    case 'U': return o.U;
    default: return o.R;
  }
}

/** Swap the list's last entry for `f` (the -R entry grows its new name). */
function replaceLast(list: FieldList, f: Field): void {
  let link: Link = list;
  while (link.next && link.next.next) link = link.next;
  link.next = f;
}
