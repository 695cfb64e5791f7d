// What the benchmarks run on: generated messages, the rc of baselines §(c), the real-world
// corpus (whole or its first messages), and counting what a run delivered.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';

export const PEERS = '/work/shared/peers';
export const CORPUS = '/work/shared/corpus/mbox/linux-mips-2001-2002.mbox';
const CORPUS_INDEX = '/work/shared/corpus/mbox/linux-mips-2001-2002.index.tsv';

/**
 * `N` generated 5 KB messages, as a directory of .eml files and as an mbox; made once per
 * size with the peers' deterministic generator and kept in the bench directory.
 */
export function generatedMessages(dir: string, n: number): { dir: string; mbox: string; files: string[] } {
  const msgDir = join(dir, `m5k-${n}`);
  const mbox = join(dir, `m5k-${n}.mbox`);
  const listing = (): string[] => (fs.existsSync(msgDir) ? fs.readdirSync(msgDir).filter((f) => f.endsWith('.eml')).sort() : []);
  if (listing().length !== n || !fs.existsSync(mbox)) {
    fs.rmSync(msgDir, { recursive: true, force: true });
    execFileSync(join(PEERS, 'gen-messages.py'), ['-n', String(n), '-s', '5k', '--dir', msgDir, '--mbox', mbox], { stdio: 'ignore' });
  }
  const files = listing().map((f) => join(msgDir, f));
  if (files.length !== n) throw new Error(`gen-messages.py made ${files.length} messages in ${msgDir}, wanted ${n}`);
  return { dir: msgDir, mbox, files };
}

/** The 10-recipe rc of baselines §(c) (`peers/bench/local.sh`), filing below `maildir`. */
export function ldaRc(maildir: string): string {
  return `MAILDIR=${maildir}
DEFAULT=$MAILDIR/inbox/
:0
* ^List-Id:.*announce
lists/
:0
* ^From:.*@example\\.org
from-org/
:0
* ^Subject:.*(Invoice|invoice)
invoices/
:0
* ^Subject:.*(meeting|Lunch)
meetings/
:0
* ^X-Spam-Flag: YES
spam/
:0
* ^Cc:.*erin@
cc-erin/
:0
* ^Content-Type: multipart/mixed
attachments/
:0
* ^To:.*bob@
to-bob/
:0 B
* urgent
urgent/
:0
* ^From:.*@example\\.net
from-net/
`;
}

/** A delivery target: the rc that files below `out`, and the tree it fills. */
export interface Target {
  rc: string;
  out: string;
}

/** Writes `name.rc` (the §(c) rc) whose folders live in `name.out/`. */
export function ldaTarget(dir: string, name: string): Target {
  fs.mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name}.out`);
  const rc = join(dir, `${name}.rc`);
  fs.writeFileSync(rc, ldaRc(out));
  return { rc, out };
}

/** Empties a delivery tree (untimed, before a run). */
export function resetDir(path: string): void {
  fs.rmSync(path, { recursive: true, force: true });
  fs.mkdirSync(path, { recursive: true });
}

const trash: string[] = [];

/**
 * Like resetDir(), but the old tree is only moved aside; emptyTrash() deletes it when the
 * whole run is over. Deleting thousands of files just before a timed run makes the next
 * file creations slower for minutes (ext4 steps over recently deleted inodes when it
 * allocates new ones, and this disk is mounted with `discard`), so the run would partly time
 * the clean-up, most of all for the side whose own cost is mainly creating files.
 */
export function setAsideDir(path: string, recreate = true): void {
  if (fs.existsSync(path)) {
    const aside = `${path}.old-${process.pid}-${trash.length}`;
    fs.renameSync(path, aside);
    trash.push(aside);
  }
  if (recreate) fs.mkdirSync(path, { recursive: true });
}

/** Deletes what setAsideDir() moved aside. */
export function emptyTrash(): void {
  for (const dir of trash.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Messages per Maildir folder below `root`: files in `root/FOLDER/new`, by folder name. */
export function folderCounts(root: string): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!fs.existsSync(root)) return counts;
  for (const name of fs.readdirSync(root).sort()) {
    const nw = join(root, name, 'new');
    if (fs.existsSync(nw) && fs.statSync(nw).isDirectory()) counts[name] = fs.readdirSync(nw).length;
  }
  return counts;
}

export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** "from-org 500, inbox 250, ..." in a fixed (name) order, for tables and error messages. */
export function formatCounts(counts: Record<string, number>): string {
  return Object.keys(counts).sort().map((k) => `${k} ${counts[k]}`).join(', ');
}

export function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  return formatCounts(a) === formatCounts(b);
}

/** Throws unless `got` holds `expected` messages in all (and, when given, the same folders as `like`). */
export function checkDelivered(what: string, got: Record<string, number>, expected: number, like?: Record<string, number>): void {
  if (total(got) !== expected) throw new Error(`${what}: delivered ${total(got)} messages, expected ${expected} (${formatCounts(got)})`);
  if (like && !sameCounts(got, like)) throw new Error(`${what}: folders differ from the peer's\n  got:  ${formatCounts(got)}\n  peer: ${formatCounts(like)}`);
}

/** Byte offset where message `n + 1` of the corpus starts (= the size of its first `n` messages). */
export function corpusPrefixBytes(indexTsv: string, n: number): { messages: number; bytes: number } {
  const rows = indexTsv.split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => l.split('\t'));
  if (n >= rows.length) {
    const last = rows[rows.length - 1]!;
    return { messages: rows.length, bytes: Number(last[3]) + Number(last[4]) };
  }
  return { messages: n, bytes: Number(rows[n]![3]) };
}

/**
 * The linux-mips corpus mbox (24 MB, 7126 messages), or a copy of its first `limit` messages
 * (for --quick), with its message count from the corpus index.
 */
export function corpus(dir: string, limit?: number): { path: string; messages: number; bytes: number } {
  const whole = corpusPrefixBytes(fs.readFileSync(CORPUS_INDEX, 'latin1'), Number.MAX_SAFE_INTEGER);
  if (limit === undefined || limit >= whole.messages) return { path: CORPUS, ...whole };
  const part = corpusPrefixBytes(fs.readFileSync(CORPUS_INDEX, 'latin1'), limit);
  const path = join(dir, `corpus-${limit}.mbox`);
  if (!fs.existsSync(path) || fs.statSync(path).size !== part.bytes) {
    const fd = fs.openSync(CORPUS, 'r');
    try {
      const buf = Buffer.alloc(part.bytes);
      fs.readSync(fd, buf, 0, part.bytes, 0);
      fs.writeFileSync(path, buf);
    } finally {
      fs.closeSync(fd);
    }
  }
  return { path, ...part };
}
