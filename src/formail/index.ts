// sluice formail: formail(1) of procmail 3.22, byte-compatible, callable in-process.
//
//   runFormail(args, io): Promise<number>
//
// `args` are formail's arguments (without "formail"): latin1 strings (one char per byte,
// the project's convention) or Buffers. The answer is formail's exit status. Everything
// formail touches goes through `io`, except the -D cache file, which is opened relative to
// `io.cwd`:
//
//   stdin    the input: a Buffer, an AsyncIterable<Buffer> (read completely first), or a
//            SyncSource (read as needed: the CLI uses this to stream big mailboxes)
//   stdout   called with output blocks, in order; throwing means "couldn't write"
//   stderr   diagnostics
//   env      formail's environment: FILENO for -s, TZ for generated From_ dates, and
//            what -s commands get (plus FILENO)
//   spawn    runs a -s command for one message (see SpawnFn): exec argv[0] via PATH, or
//            /bin/sh with argv when that fails; input = the message; resolves to the exit
//            status (negative: killed by that signal)
//   cwd, now, pid, hostname: optional; default to this process's (now in milliseconds)
//
// The engine calls this for rc pipes whose command is exactly `formail ...`.
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
      children: new ChildRunner(io.spawn, parsed.opts.nowait),
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
