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

/**
 * V8 flags for the resident children. A worker runs the same few hundred functions once per
 * delivery, and with V8's default budget (--interrupt-budget=67584: bytes of bytecode a
 * function runs before it is considered for optimisation) lmtpd spent about twice its
 * steady-state CPU per message over its first ~8 000 messages (four workers). An eighth of
 * it gets there after ~4 000 messages, at the same steady-state cost (`bench/lmtpd-cpu.ts
 * --rounds` prints the curve, SLUICE_CHILD_V8_FLAGS='' the default's; docs/benchmarks.md).
 */
export const CHILD_V8_FLAGS: readonly string[] = ['--interrupt-budget=8448'];

/** CHILD_V8_FLAGS, or the space-separated flags of SLUICE_CHILD_V8_FLAGS when set (for measuring). */
export function childV8Flags(env: NodeJS.ProcessEnv = process.env): string[] {
  const own = env.SLUICE_CHILD_V8_FLAGS;
  return own === undefined ? [...CHILD_V8_FLAGS] : own.split(/\s+/).filter(Boolean);
}

let cached: SluiceEntry | undefined;

export function sluiceEntry(): SluiceEntry {
  if (cached) return cached;
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    cached = {
      modulePath: fileURLToPath(new URL('../cli/main.ts', here)),
      execArgv: [...childV8Flags(), '--import', import.meta.resolve('tsx')],
      cwd: fileURLToPath(new URL('../..', here)),
    };
    return cached;
  }
  // bundled: this code sits in dist/chunks/ (code splitting) or in dist/sluice.mjs itself
  for (const rel of ['../sluice.mjs', './sluice.mjs']) {
    const path = fileURLToPath(new URL(rel, here));
    if (existsSync(path)) {
      cached = { modulePath: path, execArgv: childV8Flags(), cwd: '/' };
      return cached;
    }
  }
  throw new Error(`cannot find sluice.mjs next to ${here}`);
}
