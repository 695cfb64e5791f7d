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

/**
 * What a program reads when procmail pipes mail to it (dump() with ft_PIPE): one newline is
 * added unless `raw` (r flag) or the data already ends with an empty line.
 */
export function pipeFeed(parts: Buffer[], raw: boolean): { data: Buffer[]; bytes: number } {
  const len = parts.reduce((n, b) => n + b.length, 0);
  if (raw) return { data: parts, bytes: len };
  const tail = lastBytes(parts, 2);
  if (len < 2 || !(tail[0] === 0x0a && tail[1] === 0x0a)) {
    return { data: [...parts, Buffer.from('\n')], bytes: len + 1 };
  }
  return { data: parts, bytes: len };
}

function lastBytes(parts: Buffer[], n: number): number[] {
  const out: number[] = [];
  for (let p = parts.length - 1; p >= 0 && out.length < n; p--) {
    const b = parts[p]!;
    for (let k = b.length - 1; k >= 0 && out.length < n; k--) out.unshift(b[k]!);
  }
  return out;
}

/** Does a shell metacharacter ($SHELLMETAS) occur in the text? */
export function hasAny(text: string, chars: string): boolean {
  for (let k = 0; k < chars.length; k++) if (text.includes(chars[k]!)) return true;
  return false;
}
