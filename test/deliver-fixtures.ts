// Shared fixtures for the test/deliver*.test.ts files: a scratch directory per test, the
// oracle's standard message, and a FolderDelivery builder that records the log.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FolderDelivery, MailParts } from '../src/engine/effects.ts';
import { LUNCH_TEXT } from './helpers/fixtures.ts';

/** The message of most oracle cases (494 bytes, one body line starting with "From "). */
export const LUNCH = Buffer.from(LUNCH_TEXT, 'latin1');

/** Splits a message at the first empty line, as the engine does. */
export function split(msg: Buffer | string): MailParts {
  const b = typeof msg === 'string' ? Buffer.from(msg, 'latin1') : msg;
  const i = b.indexOf('\n\n');
  if (i < 0) return { head: b, body: Buffer.alloc(0) };
  return { head: b.subarray(0, i + 2), body: b.subarray(i + 2) };
}

/** A fresh directory under os.tmpdir(), made the current directory for the test. */
export function scratch(): { dir: string; done: () => void } {
  const before = process.cwd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-deliver-'));
  process.chdir(dir);
  return {
    dir,
    done: () => {
      process.chdir(before);
      // make everything removable again (tests chmod directories read-only)
      const walk = (p: string) => {
        try {
          fs.chmodSync(p, 0o700);
        } catch {
          return;
        }
        if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
      };
      walk(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Recorded {
  req: FolderDelivery;
  /** Log lines and "Assigning" markers in order. */
  lines: string[];
}

/** A delivery request with procmail's defaults; the log and LASTFOLDER assignments are recorded. */
export function request(folders: string[], mail: MailParts, over: Partial<FolderDelivery> = {}): Recorded {
  const lines: string[] = [];
  const req: FolderDelivery = {
    folders,
    mail,
    raw: false,
    contentLength: false,
    umask: 0o077,
    msgPrefix: 'msg.',
    verbose: false,
    log: (t) => lines.push(t),
    setLastFolder: (n) => lines.push(`Assigning "LASTFOLDER=${n}"\n`),
    ...over,
  };
  return { req, lines };
}

export const mode = (p: string) => fs.statSync(p).mode & 0o7777;

export const isRoot = process.getuid?.() === 0;
