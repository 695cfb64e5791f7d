// What a section hands back, and how it is printed: one table per section, then every
// ratio in a summary. Ratios are always sluice's throughput divided by the peer's (> 1:
// sluice is faster), whatever the row measures (messages/s, starts/s, MB/s).

/** A row of a section's table. */
export interface Row {
  what: string;
  command: string;
  /** Median seconds of one timed run. */
  seconds: number;
  /** Work per run, in `unit`s (messages, process starts). */
  work: number;
  unit: string;
  /** Every timed run, seconds. */
  runs: number[];
  note?: string;
}

export interface Ratio {
  section: string;
  name: string;
  sluice: string;
  peer: string;
  /** sluice throughput / peer throughput. */
  ratio: number;
  /** The project's goal for this ratio (a minimum), if it has one. */
  goal?: number;
  goalText?: string;
}

export interface SectionResult {
  name: string;
  title: string;
  skipped?: string;
  rows: Row[];
  ratios: Ratio[];
  /** Facts worth keeping next to the times: delivery counts, which code path ran... */
  facts: Record<string, unknown>;
}

export const throughput = (r: Row): number => r.work / r.seconds;

export function ratioOf(section: string, name: string, sluice: Row, peer: Row, goal?: { min: number; text: string }): Ratio {
  return {
    section,
    name,
    sluice: sluice.what,
    peer: peer.what,
    ratio: throughput(sluice) / throughput(peer),
    ...(goal ? { goal: goal.min, goalText: goal.text } : {}),
  };
}

function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  if (Math.abs(x) >= 100) return x.toFixed(1);
  return x.toFixed(digits);
}

export function formatRate(r: Row): string {
  return `${fmt(throughput(r))} ${r.unit}/s`;
}

/** A plain-text table with the numeric columns right-aligned. */
export function table(headers: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function sectionTable(s: SectionResult): string {
  const rows = s.rows.map((r) => [
    r.what,
    fmt(r.seconds, 3),
    `${r.work}`,
    formatRate(r),
    r.runs.map((x) => fmt(x, 3)).join(' '),
  ]);
  return table(['variant', 'seconds', 'work', 'throughput', 'runs (s)'], rows, new Set([1, 2, 3]));
}

export function goalVerdict(r: Ratio): string {
  if (r.goal === undefined) return '';
  return `${r.ratio >= r.goal ? 'met' : 'NOT met'} (goal ${r.goalText})`;
}

export function summaryTable(ratios: readonly Ratio[]): string {
  const rows = ratios.map((r) => [r.section, r.name, `${fmt(r.ratio)}x`, goalVerdict(r)]);
  return table(['section', 'sluice/peer throughput', 'ratio', 'goal'], rows, new Set([2]));
}
