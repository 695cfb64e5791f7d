// `sluice test --json`: one JSON object per line, one per message, then one summary line.
// The schema is documented in docs/sluice-test.md; keep the two in step.
import type { MessageResult } from './model.ts';
import { destinations, type FolderTally } from './summary.ts';

export const JSON_SCHEMA_VERSION = 1;

export interface MessageJson {
  type: 'message';
  schema: number;
  n: number;
  source: string;
  index: number;
  messageId?: string;
  from?: string;
  subject?: string;
  size: number;
  exit: number;
  destinations: string[];
  deliveries: MessageResult['deliveries'];
  programs: MessageResult['programs'];
  recipes: MessageResult['recipes'];
  variables: MessageResult['variables'];
  log: string;
  diff?: { changed: boolean; before: string[] };
}

export interface SummaryJson {
  type: 'summary';
  schema: number;
  messages: number;
  notDelivered: number;
  folders: { destination: string; count: number }[];
  changed?: number;
  seconds: number;
}

export function messageJson(r: MessageResult, before?: string[]): MessageJson {
  const dest = destinations(r);
  const o: MessageJson = {
    type: 'message',
    schema: JSON_SCHEMA_VERSION,
    n: r.n,
    source: r.source,
    index: r.index,
    ...(r.messageId !== undefined ? { messageId: r.messageId } : {}),
    ...(r.from !== undefined ? { from: r.from } : {}),
    ...(r.subject !== undefined ? { subject: r.subject } : {}),
    size: r.size,
    exit: r.exitCode,
    destinations: dest,
    deliveries: r.deliveries,
    programs: r.programs,
    recipes: r.recipes,
    variables: r.variables,
    log: r.log,
  };
  if (before) o.diff = { changed: !sameDestinations(before, dest), before };
  return o;
}

export function summaryJson(t: FolderTally, seconds: number, changed?: number): SummaryJson {
  return {
    type: 'summary',
    schema: JSON_SCHEMA_VERSION,
    messages: t.messages,
    notDelivered: t.notDelivered,
    folders: t.rows(),
    ...(changed !== undefined ? { changed } : {}),
    seconds: Math.round(seconds * 1000) / 1000,
  };
}

/** Same places, order aside. */
export function sameDestinations(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

/** The message key a saved run is matched by. */
export function messageKey(m: { source: string; index: number }): string {
  return `${m.source}\0${m.index}`;
}

/** Reads a saved `--json` run: destinations by message key. */
export function parseSavedRun(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as Partial<MessageJson>;
    if (o.type !== 'message' || typeof o.source !== 'string' || typeof o.index !== 'number' || !Array.isArray(o.destinations)) continue;
    out.set(messageKey({ source: o.source, index: o.index }), o.destinations);
  }
  return out;
}
