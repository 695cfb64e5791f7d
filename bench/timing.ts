// Wall-clock timing of shell commands, and interleaved rounds.
//
// Why not hyperfine: hyperfine runs all runs of one command before the next command, so on
// this shared, noisy machine a burst of neighbour load lands on one variant only. Here the
// variants of a comparison alternate round by round (and the order flips every round), so
// they share the same background noise, and every timed run is checked right after it ran
// (delivered files, output hashes) before its time is accepted.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ShellRun {
  /** A /bin/sh script; `args` become $1, $2, ... */
  script: string;
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** File to read standard input from (default /dev/null). */
  stdin?: string;
  /** File to write standard output to (default /dev/null). */
  stdout?: string;
}

export interface ShellResult {
  seconds: number;
  stderr: string;
}

const STDERR_KEEP = 16 * 1024;

/**
 * Runs `sh -c script` and measures its wall time: from just before the spawn to its exit.
 * The redirections are opened before the clock starts. A non-zero exit is an error (the run
 * did not do its work, so its time means nothing).
 */
export async function timeShell(run: ShellRun): Promise<ShellResult> {
  const input = openSync(run.stdin ?? '/dev/null', 'r');
  const output = openSync(run.stdout ?? '/dev/null', 'w');
  try {
    const t0 = process.hrtime.bigint();
    const child = spawn('/bin/sh', ['-c', run.script, 'sh', ...(run.args ?? [])], {
      cwd: run.cwd,
      env: run.env ?? process.env,
      stdio: [input, output, 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('latin1');
    child.stderr!.on('data', (s: string) => {
      if (stderr.length < STDERR_KEEP) stderr += s;
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (code !== 0) {
      const how = signal ? `signal ${signal}` : `exit ${code}`;
      throw new Error(`command failed (${how}): ${run.script}\n${stderr.slice(0, 2000)}`);
    }
    return { seconds, stderr };
  } finally {
    closeSync(input);
    closeSync(output);
  }
}

export function median(xs: readonly number[]): number {
  if (!xs.length) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** One contender of an interleaved comparison. */
export interface Variant {
  name: string;
  /** Untimed set-up before every run (empty the target folders...). */
  prepare?: () => Promise<void> | void;
  /** The timed work; resolves to its seconds. */
  run: () => Promise<number>;
  /** Untimed check after every run; throws when the work was not done. */
  verify?: () => Promise<void> | void;
}

/**
 * Runs every variant once per round, alternating the order every round (A B, B A, ...),
 * and returns each variant's times in seconds, in round order.
 */
export async function interleave(variants: readonly Variant[], rounds: number, onRun?: (name: string, round: number, seconds: number) => void): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      await v.prepare?.();
      const s = await v.run();
      await v.verify?.();
      times.get(v.name)!.push(s);
      onRun?.(v.name, r + 1, s);
    }
  }
  return times;
}
