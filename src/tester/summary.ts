// Where messages end up, as short stable strings ("destinations"): the keys of the folder
// table, of --diff and of the saved-run comparison.
import type { Delivery, FolderKind, MessageResult } from './model.ts';

/** One destination: `<kind> <folder>`, the folder an absolute path (Maildir/MH as `dir/`, `dir/.`). */
export function folderKey(kind: FolderKind, path: string): string {
  switch (kind) {
    case 'maildir':
      return `maildir ${path}/`;
    case 'mh':
      return `mh ${path}/.`;
    case 'dir':
      return `dir ${path}/`;
    case 'devnull':
      return 'devnull /dev/null';
    default:
      return `mbox ${path}`;
  }
}

function deliveryKeys(d: Delivery): string[] {
  switch (d.kind) {
    case 'pipe':
      return [`pipe ${d.target.trim()}`];
    case 'forward':
      return [`forward ${d.target.trim()}`];
    case 'stdout':
      return ['stdout'];
    default: {
      const keys = [folderKey(d.kind, d.path ?? d.target)];
      for (const l of d.links ?? []) keys.push(folderKey(l.kind, l.path));
      return keys;
    }
  }
}

/**
 * Every place the message would be written to, in order (a folder twice if it gets two
 * copies). A message that reaches none gets one pseudo-destination: `not-delivered (exit N)`
 * (bounced or requeued), or `lost` (exit 0 without a delivery: HOST mismatch, DELIVERED).
 */
export function destinations(r: Pick<MessageResult, 'deliveries' | 'exitCode'>): string[] {
  const out: string[] = [];
  for (const d of r.deliveries) if (d.ok) out.push(...deliveryKeys(d));
  if (out.length === 0) out.push(r.exitCode === 0 ? 'lost' : `not-delivered (exit ${r.exitCode})`);
  return out;
}

export interface TableRow {
  destination: string;
  count: number;
}

/** Messages per destination over a whole run. */
export class FolderTally {
  private readonly counts = new Map<string, number>();
  messages = 0;
  notDelivered = 0;

  add(r: Pick<MessageResult, 'deliveries' | 'exitCode'>): void {
    this.messages++;
    const dest = destinations(r);
    if (dest[0]!.startsWith('not-delivered') || dest[0] === 'lost') this.notDelivered++;
    for (const k of dest) this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  /** Rows by count (highest first), then by name. */
  rows(): TableRow[] {
    return [...this.counts].map(([destination, count]) => ({ destination, count }))
      .sort((a, b) => b.count - a.count || (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0));
  }

  get(destination: string): number {
    return this.counts.get(destination) ?? 0;
  }
}

/** A path for people: $HOME shown as `~`. */
export function tildify(text: string, home: string | undefined): string {
  if (!home || home === '/') return text;
  return text.split(home + '/').join('~/').replace(new RegExp(`(^| )${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), '$1~');
}
