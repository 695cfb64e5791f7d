// Header-derived text in commands. $MATCH (and any variable assigned from it, or from a
// `formail -x` of the message) holds whatever the sender wrote. procmail hands a command with
// shell metacharacters to $SHELL as written, so the shell expands such a variable: unquoted
// it is split and globbed, and under eval / sh -c it is parsed as shell code. A command
// without metacharacters is expanded and split by procmail itself: unquoted, one header
// value can become several arguments (options). Where procmail expands first and the shell
// parses afterwards (a `$` condition with `?`), the message's text becomes shell code.

/** A `$NAME` / `${NAME...}` reference in a text. */
export interface VarRef {
  name: string;
  /** Offset of the `$`. */
  at: number;
}

export function varRefs(text: string): VarRef[] {
  const out: VarRef[] = [];
  const re = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ name: m[1] ?? m[2]!, at: m.index });
  return out;
}

export type QuoteContext = 'unquoted' | 'double' | 'single';

/** How the text at `offset` is quoted, reading sh-style from the start. */
export function quoteContext(text: string, offset: number): QuoteContext {
  let state: QuoteContext = 'unquoted';
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && state !== 'single') {
      i++;
      continue;
    }
    if (state === 'unquoted') {
      if (c === '"') state = 'double';
      else if (c === "'") state = 'single';
    } else if (state === 'double' && c === '"') state = 'unquoted';
    else if (state === 'single' && c === "'") state = 'unquoted';
  }
  return state;
}

/** Commands that parse their argument as shell code again. */
const REPARSE = /\beval\b|\b(?:ba|z|k|da|c|tc)?sh\s+(?:-\w*\s+)*-\w*c\b|\bssh\b|\bsu\b[^|;&]*\s-c\b/;

/** Names assigned from the message: a reference to one of them, or a formail extraction. */
export function derivesFromMessage(raw: string, tainted: ReadonlySet<string>): boolean {
  if (varRefs(raw).some((r) => tainted.has(r.name))) return true;
  return /`[^`]*\bformail\b[^`]*\s-[A-Za-z]*[xX]/.test(raw);
}

/** A capture command that extracts header text (`VAR=| formail -xSubject:`). */
export function extractsHeader(command: string): boolean {
  return /\bformail\b.*\s-[A-Za-z]*[xX]/.test(command);
}

export interface UnsafeUse {
  name: string;
  at: number;
  message: string;
}

/**
 * Unsafe uses of tainted variables in a command. `shell`: the command goes to $SHELL as
 * written; otherwise procmail expands and splits it. `preExpanded`: procmail has already
 * substituted the variables before the shell sees the text (`$` conditions).
 */
export function unsafeUses(command: string, tainted: ReadonlySet<string>, shell: boolean, preExpanded = false): UnsafeUse[] {
  const out: UnsafeUse[] = [];
  const reparse = REPARSE.test(command);
  for (const ref of varRefs(command)) {
    if (!tainted.has(ref.name)) continue;
    const q = quoteContext(command, ref.at);
    const v = `$${ref.name}`;
    if (q === 'single' && !(preExpanded && shell)) continue;
    if (preExpanded && shell) {
      out.push({ ...ref, message: `header-derived ${v} is substituted by procmail before the shell reads the command: text from the message runs as shell code` });
    } else if (reparse) {
      out.push({ ...ref, message: `header-derived ${v} reaches a command that parses it again (eval, sh -c, ssh): text from the message runs as shell code` });
    } else if (q === 'unquoted') {
      out.push({
        ...ref,
        message: shell
          ? `header-derived ${v} is unquoted in a shell command: the shell splits it and expands wildcards in it; write "${v}"`
          : `procmail splits header-derived ${v} into separate arguments: text from the message can add options; write "${v}"`,
      });
    }
  }
  return out;
}

/** The backtick commands in a text, with their offsets (of the first character inside). */
export function backticks(text: string): { command: string; at: number }[] {
  const out: { command: string; at: number }[] = [];
  let inSingle = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && !inSingle) {
      i++;
      continue;
    }
    if (c === "'") inSingle = !inSingle;
    if (c === '`' && !inSingle) {
      const end = text.indexOf('`', i + 1);
      if (end < 0) break;
      out.push({ command: text.slice(i + 1, end), at: i + 1 });
      i = end;
    }
  }
  return out;
}
