// `sluice formail ...`: formail(1) on this process's stdin/stdout. Input is read with
// blocking reads as formail needs it (so `formail -s` streams a mailbox of any size, and
// `formail -x` stops after the header); output is written synchronously.
import * as fs from 'node:fs';
import { runFormail } from '../formail/index.ts';
import type { SyncSource } from '../formail/index.ts';
import { nodeSpawn } from '../formail/spawn-node.ts';
import { procmailInProcess } from '../deliver/inprocess.ts';
import { commitBatch } from '../deliver/fsio.ts';
import { EX_TEMPFAIL } from '../sysexits.ts';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Retry a syscall that a non-blocking descriptor answers with EAGAIN. */
function retrying<T>(op: () => T): T {
  for (;;) {
    try {
      return op();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

export function fdSource(fd: number): SyncSource {
  return {
    readSync(into: Buffer): number {
      try {
        return retrying(() => fs.readSync(fd, into, 0, into.length, null));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EOF') return 0;
        // a closed or unreadable stdin reads as end of input, as getchar() would
        return 0;
      }
    },
  };
}

export function writeAll(fd: number, b: Buffer): void {
  let off = 0;
  while (off < b.length) off += retrying(() => fs.writeSync(fd, b, off, b.length - off));
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const stderr = (b: Buffer): void => {
    try {
      writeAll(2, b);
    } catch {
      // nowhere left to complain
    }
  };
  const status = await runFormail(
    argv.map((a) => Buffer.from(a, 'utf8')),
    {
      stdin: fdSource(0),
      stdout: (b) => writeAll(1, b),
      stderr,
      env: stringEnv(process.env),
      spawn: procmailInProcess(nodeSpawn(stderr), true),
    },
  );
  // messages delivered in this process are on disk only once the group commit succeeded
  if (!commitBatch()) {
    stderr(Buffer.from('sluice formail: could not flush the delivered mail to disk\n'));
    return EX_TEMPFAIL;
  }
  return status;
}
