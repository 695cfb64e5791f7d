// `sluice test --run-programs`: condition programs, filters, captures and backticks really run,
// with their current directory in a scratch directory instead of MAILDIR, so that relative
// names they write (formail -D's cache, a tool's temporary files) land there. It is not a
// jail: a program given an absolute path can still write to it. Delivering pipes and
// forwards never run, with or without the option.
import { spawn, type ChildProcess } from 'node:child_process';
import type { ProgramRequest, ProgramResult } from '../engine/effects.ts';
import { statusOf } from '../deliver/programs.ts';
import { nativeString } from '../deliver/oschars.ts';

const BIN_SH = '/bin/sh';
const EX_UNAVAILABLE = 69;
const EMPTY = Buffer.alloc(0);
const PIPE_CAPACITY = 65536;

function start(argv: string[], env: Record<string, string>, cwd: string): ChildProcess | null {
  try {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], argv0: argv[0] });
    if (child.pid === undefined) {
      child.on('error', () => {});
      return null;
    }
    return child;
  } catch {
    return null;
  }
}

/** Runs the program in `cwd`; its stderr is handed to `stderr` (the message's log). */
export async function runInSandbox(req: ProgramRequest, cwd: string, stderr: (text: string) => void): Promise<ProgramResult> {
  if (req.argv.length === 0) return { status: EX_UNAVAILABLE, stdout: EMPTY, writeError: false, timedOut: false };
  const argv = req.argv.map(nativeString);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.env)) env[nativeString(k)] = nativeString(v);
  // procmail's shexec(): when the program cannot be executed, /bin/sh gets the words
  const child = start(argv, env, cwd) ?? start([BIN_SH, ...argv], env, cwd);
  if (!child) {
    req.log(`procmail: Failed to execute "${req.argv[0]}"\n`);
    return { status: EX_UNAVAILABLE, stdout: EMPTY, writeError: false, timedOut: false };
  }
  let timedOut = false;
  const timer = req.timeoutSeconds > 0
    ? setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      req.log(`procmail: Timeout, terminating "${req.display ?? req.argv[0]}"\n`);
    }, req.timeoutSeconds * 1000)
    : undefined;
  const out: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => stderr(b.toString('latin1')));
  // as in src/deliver/programs.ts: a reader that leaves early is noticed only past a pipe's worth
  const size = req.stdin.reduce((n, b) => n + b.length, 0);
  let writeError = false;
  child.stdin!.on('error', () => (writeError = size > PIPE_CAPACITY));
  for (const b of req.stdin) if (b.length) child.stdin!.write(b);
  child.stdin!.end();
  const status = await new Promise<number>((resolve) => child.on('close', (code, sig) => resolve(statusOf(code, sig))));
  clearTimeout(timer);
  return { status, stdout: req.captureStdout && out.length ? Buffer.concat(out) : EMPTY, writeError, timedOut };
}
