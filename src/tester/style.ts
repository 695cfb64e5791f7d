// ANSI colours for people's output, only when wanted (a TTY, no NO_COLOR, or --color=always).

export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;

export const COLOUR: Style = { ok: wrap('32'), bad: wrap('31'), warn: wrap('33'), dim: wrap('2'), bold: wrap('1') };

const same = (s: string) => s;
export const PLAIN: Style = { ok: same, bad: same, warn: same, dim: same, bold: same };

export type ColourChoice = 'auto' | 'always' | 'never';

export function chooseStyle(choice: ColourChoice, stream: { isTTY?: boolean }, env: Record<string, string | undefined>): Style {
  if (choice === 'always') return COLOUR;
  if (choice === 'never') return PLAIN;
  return stream.isTTY && env.NO_COLOR === undefined && env.TERM !== 'dumb' ? COLOUR : PLAIN;
}

/** Display width of text that may hold colour codes. */
export function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}

export function padStart(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - visibleLength(s))) + s;
}
