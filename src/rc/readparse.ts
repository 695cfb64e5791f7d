// procmail's sh-like word parser: quotes, backslashes, $VAR / ${VAR:-x} / $\VAR / $# $$ $? $= $_ $-
// substitutions and backticks, expanded while reading (procmail has no separate expansion
// pass). Three modes, as in procmail:
//   words  (sarg 0): split into arguments like /bin/sh (program command lines, folder names)
//   value  (sarg 1): an assignment value: stops at the first unquoted blank
//   keep   (sarg 2): like words, but split only on the blanks really present ($ conditions)
// The result is the words joined by NUL ('\0'); `overflow` reports LINEBUF exhaustion.
import { EOF, type CharSource } from './reader.ts';

export type ParseMode = 'words' | 'value' | 'keep';

export interface ExpandContext {
  /** Variable lookup; positional $0..$9 are resolved by the context too. undefined = unset. */
  get(name: string): string | undefined;
  pid(): number;
  lastExit(): number;
  lastScore(): number;
  argCount(): number;
  rcName(): string;
  /** All positional arguments ("$@"). */
  args(): string[];
  /**
   * Run a backtick command (mail on stdin) and return its output with trailing newlines removed.
   * `shell`: run through $SHELL (the text has shell metacharacters); otherwise `argv` is set.
   */
  backtick(command: string, argv: string[] | null): Promise<string>;
  /** Does the text contain one of $SHELLMETAS? */
  hasShellMetas(text: string): boolean;
  /** procmail's nlog(): "procmail: " + text. */
  log(text: string): void;
  /** Quote a value for "Bad substitution of" style messages. */
  linebuf(): number;
}

export interface ParseResult {
  /** Words separated by '\0' (with a terminating '\0' where procmail puts one). */
  text: string;
  overflow: boolean;
}

const NOTHING_YET = -1;
const SKIPPING_SPACE = 0;
const NORMAL_TEXT = 1;
const DOUBLE_QUOTED = 2;
const SINGLE_QUOTED = 3;

const BS = 0x5c, NL = 0x0a, SP = 0x20, TAB = 0x09, DQ = 0x22, SQ = 0x27, BQ = 0x60;
const HASH = 0x23, DOLLAR = 0x24, LBRACE = 0x7b, RBRACE = 0x7d;

/** procmail's alphanum(): 2 for digits, 1 for letters and '_', 0 otherwise. */
export function alphanum(c: number): 0 | 1 | 2 {
  if (c >= 0x30 && c <= 0x39) return 2;
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f) return 1;
  return 0;
}

/** Characters that $\VAR escapes so that a value is taken literally inside a regex. */
const REGEX_SPECIALS = '(|)*?+.^$[\\';

/** Split a value on blanks into NUL-separated words (procmail's simplesplit). */
function simpleSplit(value: string, got: { v: number }): string {
  let out = '';
  for (let k = 0; k < value.length; k++) {
    const ch = value.charCodeAt(k);
    if (ch === SP || ch === TAB || ch === NL) {
      if (got.v > SKIPPING_SPACE) {
        out += '\0';
        got.v = SKIPPING_SPACE;
      }
      continue;
    }
    out += value[k];
    got.v = NORMAL_TEXT;
  }
  return out;
}

/** Split a command line into argv without expanding anything but quotes (for backticks). */
export async function readParse(
  src: CharSource,
  mode: ParseMode,
  skippingIn: boolean,
  ctx: ExpandContext,
): Promise<ParseResult> {
  const sarg = mode === 'words' ? 0 : mode === 'value' ? 1 : 2;
  let skipping = skippingIn;
  let out = '';
  let got = NOTHING_YET;
  let bracelev = 0;
  let qbracelev = 0;
  // ${VAR:-alt} whose alternative is not taken: parse it but throw the text away.
  let skipBack: { at: number; level: number; value: string | undefined; got: number; wasSkipping: boolean } | null = null;
  let i: number;

  const finish = (): ParseResult => {
    if (got !== SKIPPING_SPACE || sarg) out += '\0';
    const overflow = out.length > ctx.linebuf();
    if (overflow) ctx.log('Exceeded LINEBUF\n');
    return { text: out, overflow };
  };

  /** Insert a substituted value: split into words unless quoted or in value/keep mode. */
  const insert = (value: string, split: boolean): void => {
    if (split && got !== DOUBLE_QUOTED && !sarg) {
      const g = { v: got };
      out += simpleSplit(value, g);
      got = g.v;
    } else {
      out += value;
      if (got <= SKIPPING_SPACE) got = NORMAL_TEXT;
    }
  };

  let pending = -2; // a character already read that must be processed next
  for (;;) {
    if (pending !== -2) {
      i = pending;
      pending = -2;
    } else {
      i = src.getc();
    }
    // ---- the big switch
    if (i === EOF) {
      if (sarg < 2 && got > NORMAL_TEXT) ctx.log('Unexpected EOL\n');
      return finish();
    }
    if (i === BS) {
      if (got === SINGLE_QUOTED) { appendNormal(i); continue; }
      i = src.getc();
      const r = quotedChar(i);
      if (r === 'eof') {
        ctx.log('Unexpected EOL\n');
        return finish();
      }
      if (r === 'continue') continue;
      continue;
    }
    if (i === BQ) {
      if (got === SINGLE_QUOTED) { appendNormal(i); continue; }
      let cmd = '';
      let term: number;
      for (;;) {
        const c = src.getc();
        if (c === DQ && got === DOUBLE_QUOTED) { term = c; break; }
        if (c === EOF || c === BQ) { term = c; break; }
        if (c === BS) {
          const d = src.getc();
          if (d === EOF) { ctx.log('Unexpected EOL\n'); term = EOF; break; }
          if (d === NL) continue;
          if ((d === DQ && got === DOUBLE_QUOTED) || d === BS || d === DOLLAR || d === BQ) {
            cmd += String.fromCharCode(d);
            continue;
          }
          cmd += '\\' + String.fromCharCode(d);
          continue;
        }
        cmd += String.fromCharCode(c);
      }
      let output = '';
      if (!skipping) {
        let argv: string[] | null = null;
        if (!ctx.hasShellMetas(cmd)) {
          const parsed = await readParse(new StringSourceLocal(cmd), 'words', false, ctx);
          const words = splitWords(parsed.text);
          if (!parsed.overflow && words[0] !== 'test') argv = words;
        }
        output = await ctx.backtick(cmd, argv);
      }
      if (got !== DOUBLE_QUOTED) {
        if (sarg) {
          out += output;
          if (got <= SKIPPING_SPACE) got = NORMAL_TEXT;
        } else {
          const g = { v: got };
          out += simpleSplit(output, g);
          got = g.v;
        }
        continue;
      }
      out += output;
      if (term === DQ || got <= SKIPPING_SPACE) got = NORMAL_TEXT;
      continue;
    }
    if (i === DQ) {
      if (got === DOUBLE_QUOTED) {
        if (qbracelev < bracelev) { appendNormal(i); continue; }
        got = NORMAL_TEXT;
        continue;
      }
      if (got === SINGLE_QUOTED) { appendNormal(i); continue; }
      qbracelev = bracelev;
      got = DOUBLE_QUOTED;
      continue;
    }
    if (i === SQ) {
      if (got === DOUBLE_QUOTED) { appendNormal(i); continue; }
      if (got === SINGLE_QUOTED) { got = NORMAL_TEXT; continue; }
      got = SINGLE_QUOTED;
      continue;
    }
    if (i === RBRACE) {
      if ((got <= NORMAL_TEXT && bracelev) || (got === DOUBLE_QUOTED && bracelev > qbracelev)) {
        bracelev--;
        if (skipBack && bracelev === skipBack.level) {
          // end of an alternative that is not used: drop what it produced, insert the value
          out = out.slice(0, skipBack.at);
          skipping = skipBack.wasSkipping;
          got = skipBack.got;
          const v = skipBack.value ?? '';
          skipBack = null;
          insert(v, true);
        }
        continue;
      }
      appendNormal(i);
      continue;
    }
    if (i === HASH) {
      if (got > SKIPPING_SPACE) { appendNormal(i); continue; }
      let c: number;
      do c = src.getc(); while (c !== EOF && c !== NL);
      return finish();
    }
    if (i === DOLLAR) {
      if (got === SINGLE_QUOTED) { appendNormal(i); continue; }
      i = src.getc();
      if (i === EOF) {
        out += '$';
        got = NORMAL_TEXT;
        return finish();
      }
      if (i === 0x40 /* @ */) {
        if (got !== DOUBLE_QUOTED) {
          // procmail drops the '$' and goes on with '@' as an ordinary character
          if (got <= SKIPPING_SPACE) got = NORMAL_TEXT;
          pending = i;
          continue;
        }
        if (!skipping) out += ctx.args().join('\0');
        continue;
      }
      if (i === LBRACE) {
        let name = '';
        let c: number;
        while ((c = src.getc()) !== EOF && alphanum(c)) name += String.fromCharCode(c);
        const badsub = (): void => {
          ctx.log(`Bad substitution of "${name}"\n`);
        };
        if (alphanum(name.charCodeAt(0)) === 2 && name.length > 1) {
          badsub();
          continue;
        }
        const value = skipping ? undefined : ctx.get(name);
        let useAlt: boolean;
        if (c === 0x3a /* : */) {
          const d = src.getc();
          if (d === 0x2d /* - */) useAlt = !(value !== undefined && value !== '');
          else if (d === 0x2b /* + */) useAlt = value !== undefined && value !== '';
          else { badsub(); continue; }
        } else if (c === 0x2b) {
          useAlt = value !== undefined;
        } else if (c === 0x2d) {
          useAlt = value === undefined;
        } else if (c === RBRACE) {
          insert(value ?? '', true);
          continue;
        } else {
          badsub();
          continue;
        }
        if (!useAlt && !skipping) {
          skipBack = { at: out.length, level: bracelev, value, got, wasSkipping: skipping };
          skipping = true;
        }
        bracelev++;
        continue;
      }
      if (i === DOLLAR) { insertNoSplit(String(ctx.pid())); continue; }
      if (i === 0x3f /* ? */) { insertNoSplit(String(ctx.lastExit())); continue; }
      if (i === HASH) { insertNoSplit(String(ctx.argCount())); continue; }
      if (i === 0x3d /* = */) { insertNoSplit(String(ctx.lastScore())); continue; }
      if (i === 0x5f /* _ */) { insert(ctx.rcName(), true); continue; }
      if (i === 0x2d /* - */) { insert(ctx.get('LASTFOLDER') ?? '', true); continue; }
      // $name, $n, $\name
      let quoted = false;
      if (alphanum(i) === 2) {
        const v = skipping ? '' : ctx.get(String.fromCharCode(i)) ?? '';
        insert(v, true);
        continue;
      }
      if (i === BS) {
        quoted = true;
        i = src.getc();
      }
      if (i !== EOF && alphanum(i)) {
        let name = '';
        do {
          name += String.fromCharCode(i);
          i = src.getc();
        } while (i !== EOF && alphanum(i));
        const value = skipping ? '' : ctx.get(name) ?? '';
        if (quoted) {
          // "()" protects the leading character; specials are backslashed
          let q = '()';
          for (const ch of value) q += (REGEX_SPECIALS.includes(ch) ? '\\' : '') + ch;
          out += q;
          if (got <= SKIPPING_SPACE) got = NORMAL_TEXT;
        } else {
          insert(value, true);
        }
        if (i !== EOF) pending = i;
        else return finish();
        continue;
      }
      // not a substitution: keep the '$'
      if (!quoted) out += '$';
      if (got <= SKIPPING_SPACE) got = NORMAL_TEXT;
      if (quoted) {
        const r = quotedChar(i);
        if (r === 'eof') {
          ctx.log('Unexpected EOL\n');
          return finish();
        }
        continue;
      }
      if (i === EOF) return finish();
      pending = i;
      continue;
    }
    if (i === SP || i === TAB) {
      if (got === NORMAL_TEXT) {
        if (sarg === 1) return finish();
        got = SKIPPING_SPACE;
        out += sarg ? ' ' : '\0';
        continue;
      }
      if (got === NOTHING_YET || got === SKIPPING_SPACE) continue;
      appendNormal(i);
      continue;
    }
    if (i === NL) {
      if (got <= NORMAL_TEXT) return finish();
      appendNormal(i);
      continue;
    }
    appendNormal(i);
  }

  function appendNormal(c: number): void {
    out += String.fromCharCode(c);
    if (got <= SKIPPING_SPACE) got = NORMAL_TEXT;
  }
  function insertNoSplit(v: string): void {
    out += v;
    if (got <= SKIPPING_SPACE) got = NORMAL_TEXT;
  }
  /** The character after a backslash (procmail's Quoted: label). */
  function quotedChar(c: number): 'eof' | 'continue' | 'done' {
    if (c === EOF) return 'eof';
    if (c === NL) return 'continue';
    let echoBackslash = false;
    let literal = false;
    switch (c) {
      case HASH:
        if (got > SKIPPING_SPACE) { echoBackslash = true; break; }
      // falls through
      case SP:
      case TAB:
      case SQ:
        if (got === DOUBLE_QUOTED) { echoBackslash = true; break; }
      // falls through
      case DQ:
      case BS:
      case DOLLAR:
      case BQ:
        literal = true;
        break;
      case RBRACE:
        if ((got <= NORMAL_TEXT && bracelev) || (got === DOUBLE_QUOTED && bracelev > qbracelev)) literal = true;
        break;
    }
    if (!literal && (echoBackslash || got > NORMAL_TEXT)) out += '\\';
    appendNormal(c);
    return 'done';
  }
}

class StringSourceLocal implements CharSource {
  private pos = 0;
  constructor(private readonly text: string) {}
  getc(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos++) : EOF;
  }
}

/** The NUL-separated words of a parse result (the empty trailing word is dropped). */
export function splitWords(text: string): string[] {
  const words = text.split('\0');
  if (words.length && words[words.length - 1] === '') words.pop();
  return words;
}
