// Shared helpers for the src/message tests: read oracle cases (recorded by the real procmail)
// at test time, and decode the file contents printed in their `expected` outcome.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CASES = '/work/shared/oracle/cases';

/** Is the oracle case directory there (the tests skip cleanly when it is not)? */
export function haveCase(name: string): boolean {
  return existsSync(join(CASES, name, 'expected'));
}

/** The message a case feeds on stdin. */
export function caseMessage(name: string): Buffer {
  return readFileSync(join(CASES, name, 'msg'));
}

/** Decode one line printed by `sed -n 'l 0'` (without its trailing `$`). */
function unescapeSedL(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      out.push(c.charCodeAt(0));
      continue;
    }
    const n = text[i + 1]!;
    const simple: Record<string, number> = { '\\': 0x5c, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (n in simple) {
      out.push(simple[n]!);
      i++;
    } else if (/[0-7]{3}/.test(text.slice(i + 1, i + 4))) {
      out.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      throw new Error(`bad escape in ${JSON.stringify(text)}`);
    }
  }
  return out;
}

export interface ExpectedFile {
  /** Decoded content (with @NOW@-style placeholders left as text). */
  content: Buffer;
  /**
   * The harness printed the file without a final newline. Its show_file() then cuts one
   * more byte (it assumes sed added a newline, GNU sed does not), so the real file had one
   * more byte at the end than `content`.
   */
  noFinalNewline: boolean;
}

/** Content of a file listed in a case's `expected` (undefined when absent or abbreviated). */
export function expectedFile(name: string, path: string): ExpectedFile | undefined {
  const lines = readFileSync(join(CASES, name, 'expected'), 'latin1').split('\n');
  const start = lines.findIndex((l) => /^(created|changed) file \d+ /.test(l) && l.endsWith(` ${path}`));
  if (start < 0 || !lines[start + 1]?.startsWith('  bytes=')) return undefined;
  const bytes: number[] = [];
  let noFinalNewline = false;
  for (let i = start + 2; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.startsWith('  ')) break;
    if (l.startsWith('  (large:')) return undefined;
    if (l === '  \\ no newline at end of file') {
      bytes.pop();
      noFinalNewline = true;
      break;
    }
    if (!l.endsWith('$')) throw new Error(`unexpected line ${JSON.stringify(l)}`);
    bytes.push(...unescapeSedL(l.slice(2, -1)), 0x0a);
  }
  return { content: Buffer.from(bytes), noFinalNewline };
}

/** A fixed clock for From_ generation; `NOW_TEXT` is its ctime rendering under TZ=UTC. */
export const NOW = new Date(Date.UTC(2026, 10, 24, 18, 3, 0));

/** Replace our rendering of NOW by the oracle's placeholder. */
export function withNowPlaceholder(buf: Buffer, nowText: string): Buffer {
  return Buffer.from(buf.toString('latin1').split(nowText).join('@NOW@'), 'latin1');
}

/** mbox file content as procmail writes it: '>' at the quote offsets, then the blank line rule. */
export function mboxContent(data: Buffer, quoteOffsets: readonly number[]): Buffer {
  const pieces: Buffer[] = [];
  let last = 0;
  for (const o of quoteOffsets) {
    pieces.push(data.subarray(last, o), Buffer.from('>'));
    last = o;
  }
  pieces.push(data.subarray(last));
  const written = data.length + quoteOffsets.length;
  if (written < 2 || !(data[data.length - 1] === 0x0a && data[data.length - 2] === 0x0a)) pieces.push(Buffer.from('\n'));
  return Buffer.concat(pieces);
}
