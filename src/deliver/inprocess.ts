// Commands sluice runs inside its own process instead of spawning one: `formail ...` in rc
// pipes and backticks (procmail users call it on every message), and `procmail ...` as the
// command of `formail -s` (a whole mailbox through the engine in one process). Only direct
// commands qualify (no shell metacharacters): `formail -A "X-Loop: me"` is ours, while
// `formail -rt | $SENDMAIL -t` goes to the shell as written.
import type { ProcessHome } from '../cli/procmail.ts';
import type { ProgramRequest, ProgramResult } from '../engine/effects.ts';
import type { SpawnFn } from '../formail/index.ts';
import { startBatch } from './fsio.ts';

const EMPTY = Buffer.alloc(0);

/** Loaded once: a mailbox of thousands of messages calls it per message. */
let procmailModule: Promise<typeof import('../cli/procmail.ts')> | undefined;

/** procmail's name for itself when formail -s runs it: `procmail` or a path ending in it. */
function isProcmail(argv0: string): boolean {
  return argv0 === 'procmail' || argv0.endsWith('/procmail');
}

/**
 * Wraps a spawn function so that `procmail ...` runs in this process. `groupCommit`: the
 * caller (a whole mailbox in one process) calls commitBatch() before it reports success.
 */
export function procmailInProcess(fallback: SpawnFn, groupCommit = false): SpawnFn {
  // formail -s runs one command after another, so the process stands where the first run
  // found it between runs (runProcmail restores it)
  let home: ProcessHome | undefined;
  return async (argv, input, env, opts) => {
    if (!isProcmail(argv[0] ?? '') || opts.parallel) return fallback(argv, input, env, opts);
    const { runProcmail, currentHome } = await (procmailModule ??= import('../cli/procmail.ts'));
    if (groupCommit) startBatch();
    home ??= currentHome();
    return runProcmail(argv.slice(1), { stdin: input, env, home });
  };
}

/**
 * Runs `req` in-process when it is a command sluice implements itself; null otherwise.
 * `stderr` is where the command's diagnostics go (the current log destination).
 */
export async function runInProcess(
  req: ProgramRequest,
  stderr: (b: Buffer) => void,
  spawnFallback: SpawnFn,
): Promise<ProgramResult | null> {
  if (req.argv[0] !== 'formail') return null;
  const { runFormail } = await import('../formail/index.ts');
  const out: Buffer[] = [];
  const status = await runFormail(req.argv.slice(1), {
    stdin: Buffer.concat(req.stdin),
    stdout: (b) => {
      if (req.captureStdout) out.push(Buffer.from(b));
      else if (req.stdoutToLog) stderr(b);
    },
    stderr,
    env: req.env,
    spawn: procmailInProcess(spawnFallback),
  });
  return { status, stdout: out.length ? Buffer.concat(out) : EMPTY, writeError: false, timedOut: false };
}
