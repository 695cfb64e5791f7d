// How to start another sluice process (worker, listener) from inside this one: the bundle
// (dist/sluice.mjs) when we run from it, or src/cli/main.ts through tsx when we run from
// source (tests). Either way the child runs `sluice <hidden command> ...`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface SluiceEntry {
  /** Script for child_process.fork(). */
  modulePath: string;
  /** Node flags for the child (the tsx loader when running from source). */
  execArgv: string[];
  /** Working directory the child starts in (where `--import tsx` resolves). */
  cwd: string;
}

let cached: SluiceEntry | undefined;

export function sluiceEntry(): SluiceEntry {
  if (cached) return cached;
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    cached = {
      modulePath: fileURLToPath(new URL('../cli/main.ts', here)),
      execArgv: ['--import', import.meta.resolve('tsx')],
      cwd: fileURLToPath(new URL('../..', here)),
    };
    return cached;
  }
  // bundled: this code sits in dist/chunks/ (code splitting) or in dist/sluice.mjs itself
  for (const rel of ['../sluice.mjs', './sluice.mjs']) {
    const path = fileURLToPath(new URL(rel, here));
    if (existsSync(path)) {
      cached = { modulePath: path, execArgv: [], cwd: '/' };
      return cached;
    }
  }
  throw new Error(`cannot find sluice.mjs next to ${here}`);
}
