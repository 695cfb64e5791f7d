// The real way to run a -s command: exec it directly (PATH search), and when that fails,
// hand it to /bin/sh the way formail's shexec() does. The command's stdout and stderr are
// this process's. Serial splits use spawnSync (the cheapest way to start a process from
// Node); -n uses asynchronous spawns so that commands overlap.
import { spawn, spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import * as os from 'node:os';
import type { SpawnFn, SpawnOutcome } from './children.ts';

/**
 * formail writes a message into the pipe while its command starts up, so a command that
 * does not read (`formail -s true`) only breaks the pipe for messages larger than the pipe
 * buffer. Node starts the command first and writes afterwards, which loses that race far
 * more often; a broken pipe is reported only when formail would have seen it reliably.
 */
const PIPE_CAPACITY = 65536;

const EXEC_FAILED = new Set(['ENOENT', 'EACCES', 'ENOEXEC', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'E2BIG']);
const EX_UNAVAILABLE = 69;

/** latin1 byte strings to the strings Node passes on (it encodes them as UTF-8). */
const toNode = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');

function signalNumber(sig: NodeJS.Signals | null): number | null {
  return sig ? (os.constants.signals[sig] ?? 1) : null;
}

function failed(argv0: string, stderr: (b: Buffer) => void): SpawnOutcome {
  stderr(Buffer.from(`formail: Failed to execute "${toNode(argv0)}"\n`, 'utf8'));
  return EX_UNAVAILABLE;
}

function runSync(file: string, args: string[], input: Buffer, env: Record<string, string>, cwd?: string): SpawnSyncReturns<Buffer> {
  return spawnSync(file, args, { input, env, cwd, stdio: ['pipe', 'inherit', 'inherit'] });
}

function runAsync(file: string, args: string[], input: Buffer, env: Record<string, string>, cwd?: string): Promise<SpawnOutcome | Error> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd, stdio: ['pipe', 'inherit', 'inherit'] });
    child.once('error', (e) => resolve(e));
    let broken = false;
    child.stdin.on('error', () => {
      broken = true; // the command did not read all of its input (EPIPE)
    });
    child.once('close', (status, signal) =>
      resolve({ status, signal: signalNumber(signal), inputBroken: broken && input.length > PIPE_CAPACITY }),
    );
    child.stdin.end(input);
  });
}

const isExecFailure = (e: unknown): boolean => e instanceof Error && EXEC_FAILED.has((e as NodeJS.ErrnoException).code ?? '');

export function nodeSpawn(stderr: (b: Buffer) => void): SpawnFn {
  return async (argvLatin1, input, env, opts) => {
    const argv = argvLatin1.map(toNode);
    const attempts: Array<[string, string[]]> = [
      [argv[0]!, argv.slice(1)],
      ['/bin/sh', argv],
    ];
    for (const [file, args] of attempts) {
      if (!opts.parallel) {
        const r = runSync(file, args, input, env, opts.cwd);
        const broken = (r.error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
        if (r.error && !broken) {
          if (isExecFailure(r.error)) continue;
          throw r.error;
        }
        return { status: r.status, signal: signalNumber(r.signal), inputBroken: broken && input.length > PIPE_CAPACITY };
      }
      const r = await runAsync(file, args, input, env, opts.cwd);
      if (r instanceof Error) {
        if (isExecFailure(r)) continue;
        throw r;
      }
      return r;
    }
    return failed(argvLatin1[0] ?? '', stderr);
  };
}
