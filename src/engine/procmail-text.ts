// Small text helpers shared by the engine: procmail's exact message texts and number formats.

/** procmail's ltstr(width, n): right-aligned decimal. */
export function ltstr(width: number, n: number): string {
  return String(Math.trunc(n)).padStart(width, ' ');
}

/** squeeze(): drop backslash-newline pairs and the leading blanks of continued lines. */
export function squeeze(s: string): string {
  let out = '';
  let state = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '\n') {
      if (state === 1) out = out.slice(0, -1); // drop the backslash, and this newline
      else out += c;
      state = 2;
      continue;
    }
    if (c === '\\') {
      out += c;
      state = 1;
      continue;
    }
    if ((c === ' ' || c === '\t') && state === 2) continue;
    out += c;
    state = 0;
  }
  return out;
}

/** Does a shell metacharacter ($SHELLMETAS) occur in the text? */
export function hasAny(text: string, chars: string): boolean {
  for (let k = 0; k < chars.length; k++) if (text.includes(chars[k]!)) return true;
  return false;
}
