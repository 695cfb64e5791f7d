// The recipe header after `:` (already word-split by readparse: words joined by NUL):
// `0 flags : lockfile`, the old `N` form, glued or spaced flags. procmail stops at the first
// character that is not a flag and skips the rest ("Skipped"), flags included.

/** Recipe flag letters, as procmail accepts them. */
export const RECFLAGS = 'HBDAahbfcwWiEer';

export interface RecipeHeader {
  /** The old `:N` form's number of conditions; -1 when no number was given. */
  nrcond: number;
  /** Flag letters in the order written, each once. */
  flags: string;
  /** A `:` asked for a local lockfile: '' for the implicit one, else the name. */
  lockfile?: string;
  /** What procmail skips (words joined by blanks), '' when nothing. */
  leftover: string;
}

export function parseRecipeHeader(text: string): RecipeHeader {
  const m = /^[ \t]*[+-]?\d+/.exec(text);
  const nrcond = m ? parseInt(m[0], 10) : -1;
  let pos = m ? m[0].length : 0;
  let flags = '';
  let lockfile: string | undefined;
  let rest = '';
  const end = text.length;
  const word = (): string => {
    const z = text.indexOf('\0', pos);
    const w = text.slice(pos, z < 0 ? end : z);
    pos = z < 0 ? end : z + 1;
    return w;
  };
  for (;;) {
    while (pos < end && (text[pos] === ' ' || text[pos] === '\t')) pos++;
    if (pos >= end) break;
    const ch = text[pos++]!;
    if (ch === '\0') continue;
    if (ch === ':') {
      // the lockfile is the rest of this word, or else the next word
      if (pos < end && text[pos] !== '\0') lockfile = word();
      else if (pos + 1 < end) {
        pos++;
        lockfile = word();
      } else {
        lockfile = '';
        pos = end;
      }
      rest = text.slice(pos);
      break;
    }
    if (RECFLAGS.includes(ch)) {
      if (!flags.includes(ch)) flags += ch;
      continue;
    }
    rest = text.slice(pos - 1);
    break;
  }
  return { nrcond, flags, lockfile, leftover: rest.replace(/\0+$/, '').replace(/\0/g, ' ') };
}
