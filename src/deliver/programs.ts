// Running programs the way procmail does: execvp() with procmail's environment, and when
// that fails (not found, not executable) `/bin/sh argv...` (procmail's shexec fallback, which
// is where "/bin/sh: 0: cannot open x: No such file" and status 2 come from). The child's
// stderr is the log destination; stdout is collected or discarded; stdin gets the message.
//
// Children of a delivering pipe without `w` are not waited for and must outlive us. They stay
// in our session and process group (no setsid, as procmail does not detach either), so an
// MTA that kills the delivery's process group still reaches them; we only unref() them.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { ProgramRequest, ProgramResult } from '../engine/effects.ts';
import { nativeString } from './oschars.ts';

/** procmail's BinSh: the interpreter tried when the program cannot be executed directly. */
const BIN_SH = '/bin/sh';
/** Exit status when not even /bin/sh can be started (procmail's EX_UNAVAILABLE). */
const EX_UNAVAILABLE = 69;
const EMPTY = Buffer.alloc(0);
/** Linux's default pipe buffer: what a write hands over even to a program that reads nothing. */
const PIPE_CAPACITY = 65536;

export interface RunOptions {
  /** Descriptor the child's stderr goes to (LOGFILE, or our own stderr). */
  stderrFd: number;
  /** Send the child's stdout to stderrFd too (procmail's TRAP). */
  stdoutToLog?: boolean;
  /** Told about input still being handed over after run() returned (a pipe not waited for). */
  pending?: (done: Promise<unknown>) => void;
}

/** Starts argv; null when exec failed (no process exists). */
function start(argv: string[], env: Record<string, string>, stdio: StdioOptions): ChildProcess | null {
  let child: ChildProcess;
  try {
    child = spawn(argv[0]!, argv.slice(1), { env, stdio, argv0: argv[0] });
  } catch {
    return null; // e.g. a NUL byte in an argument: the exec could never succeed
  }
  if (child.pid === undefined) {
    child.on('error', () => {}); // the failure is reported asynchronously; we already know
    return null;
  }
  return child;
}

function nativeEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[nativeString(k)] = nativeString(v);
  return out;
}

/** Exit status as procmail's waitfor() reports it: the exit code, or -signal. */
export function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return -(osConstants.signals[signal] ?? 0);
  return -1;
}

export async function runProgram(req: ProgramRequest, opts: RunOptions): Promise<ProgramResult> {
  const name = req.display ?? req.argv[0] ?? '';
  if (req.argv.length === 0) return { status: EX_UNAVAILABLE, stdout: EMPTY, writeError: false, timedOut: false };
  const argv = req.argv.map(nativeString);
  const env = nativeEnv(req.env);
  const stdout = req.captureStdout ? 'pipe' : opts.stdoutToLog ? opts.stderrFd : 'ignore';
  const stdio: StdioOptions = ['pipe', stdout, opts.stderrFd];
  const child = start(argv, env, stdio) ?? start([BIN_SH, ...argv], env, stdio);
  if (!child) {
    req.log(`procmail: Failed to execute "${req.argv[0]}"\n`);
    return { status: EX_UNAVAILABLE, stdout: EMPTY, writeError: false, timedOut: false };
  }

  let timedOut = false;
  let exited = false;
  let timer: NodeJS.Timeout | undefined;
  if (req.timeoutSeconds > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      // procmail keeps waiting afterwards: a program that ignores SIGTERM may still finish
      const killed = !exited && child.kill('SIGTERM');
      req.log(`procmail: Timeout, ${killed ? 'terminating' : 'was waiting for'} "${name}"\n`);
    }, req.timeoutSeconds * 1000);
  }

  const collected: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => collected.push(b));
  const closed = new Promise<ProgramResult['status']>((resolve) => {
    child.on('close', (code, signal) => resolve(statusOf(code, signal)));
  });
  child.on('exit', () => (exited = true));

  const fed = feed(child, req.stdin);

  if (!req.wait) {
    // procmail's write into the pipe returns at once for a message that fits in the pipe,
    // and its log lines (the abstract) usually come before the program's: do not wait for
    // the flush then (it cannot fail, see feed()). Node still finishes it before exiting.
    const writeError = size(req.stdin) > PIPE_CAPACITY ? await fed : false;
    opts.pending?.(fed);
    // procmail stops the timer once the mail is handed over and does not look back
    clearTimeout(timer);
    child.unref();
    return { status: 0, stdout: EMPTY, writeError, timedOut };
  }
  const writeError = await fed;
  const status = await closed;
  clearTimeout(timer);
  return { status, stdout: collected.length ? Buffer.concat(collected) : EMPTY, writeError, timedOut };
}

/**
 * Writes the whole input and closes it; true when the program went away before taking it all
 * and the input was more than a pipe's worth. procmail writes into the pipe right after
 * fork(), before the program can even start, so the first PIPE_CAPACITY bytes always go
 * through and only a longer message notices a reader that left (verified: `| head -c 10`
 * and `| exit 5` fail for a 125 KB message, not for a 494-byte one). We can only write once
 * the program runs, so an early exit must not count for input a pipe would have absorbed.
 * Limitation: libuv gives children a socketpair, whose buffer (~200 KB) can absorb a little
 * more than a pipe before the program exits; such a message then passes unnoticed.
 */
function feed(child: ChildProcess, data: Buffer[]): Promise<boolean> {
  const stdin = child.stdin!;
  const total = size(data);
  return new Promise<boolean>((resolve) => {
    // 'finish' means everything reached the pipe. Without it the program went away first:
    // EPIPE (never fatal here), or Node destroying stdin when it saw the exit before the error.
    let finished = false;
    stdin.on('error', () => {});
    stdin.on('finish', () => (finished = true));
    stdin.on('close', () => resolve(!finished && total > PIPE_CAPACITY));
    for (const b of data) if (b.length) stdin.write(b);
    stdin.end();
  });
}

function size(data: Buffer[]): number {
  return data.reduce((n, b) => n + b.length, 0);
}
