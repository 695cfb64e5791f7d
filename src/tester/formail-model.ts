// formail in a dry run. Real rcfiles lean on formail: `:0 Wh: msgid.lock | formail -D 8192
// msgid.cache` drops duplicates, `fhw | formail -I ...` edits headers, `formail -xSubject:`
// in backticks and captures reads fields. Answering those with "exit 0, no output" would make
// every message a duplicate and every extracted field empty, so the dry run runs sluice's own
// formail (src/formail, byte-compatible with formail 3.22) in this process instead: no
// process starts, nothing is written where the rcfile can see it. The -D cache is a private
// copy in a scratch directory (made on first use, removed by close()), so the run sees the
// real cache's keys plus those of the messages before it, exactly as a real run would.
// Not handled here (they still only "would run"): -s (it runs commands), formail inside a
// shell command line.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ProgramRequest, ProgramResult } from '../engine/effects.ts';
import { parseOptions, runFormail } from '../formail/index.ts';
import { fsPath } from '../deliver/oschars.ts';
import { absolute } from './folders.ts';

const EMPTY = Buffer.alloc(0);

export class FormailModel {
  private scratch: string | undefined;
  /** Real cache path -> its private copy. */
  private readonly copies = new Map<string, string>();

  /** Our formail can stand in for this command: `formail` run directly, without -s. */
  handles(req: ProgramRequest): boolean {
    const [prog, ...args] = req.argv;
    if (prog === undefined || basename(prog) !== 'formail') return false;
    const parsed = parseOptions(args.map((a) => Buffer.from(a, 'latin1')), () => true);
    return parsed.kind === 'ok' && !parsed.opts.split;
  }

  async run(req: ProgramRequest, cwd: string, log: (text: string) => void): Promise<ProgramResult> {
    const args = req.argv.slice(1);
    parseOptions(args.map((a) => Buffer.from(a, 'latin1')), (p) => {
      this.redirectCache(args, p, cwd);
      return true;
    });
    const out: Buffer[] = [];
    const status = await runFormail(args, {
      stdin: Buffer.concat(req.stdin),
      stdout: (b) => out.push(Buffer.from(b)),
      stderr: (b) => log(b.toString('latin1')),
      env: req.env,
      spawn: async () => 0, // never called: -s is not handled here
      cwd,
    });
    return { status, stdout: req.captureStdout && out.length ? Buffer.concat(out) : EMPTY, writeError: false, timedOut: false };
  }

  /** Points formail's -D argument at the private copy of that cache (made on first use). */
  private redirectCache(args: string[], path: string, cwd: string): void {
    const real = absolute(cwd, path);
    let copy = this.copies.get(real);
    if (copy === undefined) {
      this.scratch ??= fs.mkdtempSync(join(tmpdir(), 'sluice-test-formail-'));
      copy = join(this.scratch, `cache${this.copies.size}`);
      try {
        fs.copyFileSync(fsPath(real), copy);
      } catch {
        // no cache yet: formail starts an empty one
      }
      this.copies.set(real, copy);
    }
    for (let k = args.length - 1; k >= 0; k--) {
      if (args[k]!.endsWith(path)) {
        args[k] = args[k]!.slice(0, args[k]!.length - path.length) + copy;
        return;
      }
    }
  }

  /** The real -D cache files a real run would have created or updated, with their private copies. */
  caches(): { path: string; copy: string }[] {
    return [...this.copies].map(([path, copy]) => ({ path, copy }));
  }

  /** Removes the private cache copies. */
  close(): void {
    if (this.scratch) fs.rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = undefined;
    this.copies.clear();
  }
}
