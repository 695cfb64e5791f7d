// sluice formail: formail(1) of procmail 3.22 (Debian 3.22-27), byte-compatible, callable
// in-process.
//
//   runFormail(args, io): Promise<number>
//
// `args` are formail's arguments (without "formail"): latin1 strings (one char per byte,
// the project's convention) or Buffers. The answer is formail's exit status. Everything
// formail touches goes through `io`, except the -D cache file, which is opened relative to
// `io.cwd`:
//
//   stdin    the input: a Buffer (never written to), an AsyncIterable<Buffer> (read
//            completely first), or a SyncSource (read as needed: the CLI streams big
//            mailboxes this way, and stops reading where formail stops, e.g. after -x)
//   stdout   called with output blocks, in order; throwing means "couldn't write" (formail
//            then exits 74, or while splitting carries on and exits 74 at the end)
//   stderr   diagnostics, byte for byte as formail's
//   env      formail's environment: FILENO for -s, TZ for generated From_ dates, and what
//            -s commands get (plus FILENO)
//   spawn    runs the -s command for one message (SpawnFn): exec argv[0] via PATH, or
//            /bin/sh with argv when that fails; stdin = the message; stdout/stderr =
//            formail's; resolves to the exit status (negative: killed by that signal) or a
//            SpawnOutcome. Called when the message is complete; serially unless -n.
//            spawn-node.ts has the real one.
//   cwd      formail's working directory (for -D and for -s commands); default process.cwd()
//   now, pid, hostname: for generated From_ lines and Message-IDs; default this process's
//            (now in milliseconds)
//
// Deviations from /usr/bin/formail, all where formail itself misbehaves: -B on input that
// ends before the BABYL separator terminates (formail spins forever); -l with -f on a
// message without header prints no From_ line (formail segfaults); reading past a C string
// (unterminated quotes/comments in addresses) reads NUL. A -s command that does not read
// its input is only reported as a failed write for messages larger than a pipe buffer
// (for smaller ones formail's answer depends on a race).
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildRunner } from './children.ts';
import type { SpawnFn } from './children.ts';
import { FormailExit, FormailRun } from './formail.ts';
import { IdCache } from './idcache.ts';
import { parseOptions } from './options.ts';
import { ByteReader } from './reader.ts';
import type { SyncSource } from './reader.ts';

export type { SpawnFn, SpawnOptions, SpawnOutcome } from './children.ts';
export type { SyncSource } from './reader.ts';
export type { FormailOptions } from './options.ts';
export { parseOptions } from './options.ts';

export interface FormailIO {
  stdin: Buffer | AsyncIterable<Buffer> | SyncSource;
  stdout: (b: Buffer) => void;
  stderr: (b: Buffer) => void;
  env: Record<string, string>;
  spawn: SpawnFn;
  cwd?: string;
  now?: () => number;
  pid?: number;
  hostname?: string;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Buffer> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(Buffer.isBuffer(b) ? b : Buffer.from(b));
  return Buffer.concat(parts);
}

export async function runFormail(args: ReadonlyArray<string | Buffer>, io: FormailIO): Promise<number> {
  const argv = args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a));
  let cache: IdCache | null = null;
  const parsed = parseOptions(argv, (p) => {
    cache?.close();
    cache = IdCache.open(path.resolve(io.cwd ?? process.cwd(), p));
    return cache !== null;
  });
  try {
    if (parsed.kind === 'exit') {
      io.stderr(parsed.stderr);
      return parsed.status;
    }
    const input = isAsyncIterable(io.stdin) ? await collect(io.stdin) : io.stdin;
    const run = new FormailRun(parsed.opts, new ByteReader(input), {
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env,
      children: new ChildRunner(io.spawn, parsed.opts.nowait, io.cwd),
      idcache: cache,
      now: io.now ?? Date.now,
      pid: io.pid ?? process.pid,
      hostname: io.hostname ?? os.hostname(),
    });
    try {
      return await run.run();
    } catch (e) {
      if (e instanceof FormailExit) return e.status;
      throw e;
    } finally {
      run.flushStdout();
    }
  } finally {
    (cache as IdCache | null)?.close();
  }
}
