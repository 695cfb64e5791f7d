// The real host: carries out the engine's decisions on this machine. Everything here is
// mechanism; every decision (which folder, which message, which exit code) is the engine's.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type {
  Effects, FolderDelivery, FolderResult, LockRequest, LogFn, ProgramRequest, ProgramResult, RcOpen,
} from '../engine/effects.ts';
import { UMASK_DEFAULT } from '../limits.ts';
import { quoted, type WriteContext } from './context.ts';
import { releaseDotlock, takeDotlock, type DotlockEnv } from './dotlock.ts';
import { deliverToFolders } from './folders.ts';
import { realIO, type FileIO } from './fsio.ts';
import { LogSink } from './logsink.ts';
import { UniqueNames } from './names.ts';
import { fromNative, nativeString } from './oschars.ts';
import { runProgram } from './programs.ts';
import { runInProcess } from './inprocess.ts';
import { nodeSpawn } from '../formail/spawn-node.ts';
import { readRcFileCached } from './rcfile.ts';
import { setProcessUmask } from './umask.ts';

export interface RealHostOptions {
  /** Initial umask (procmail starts with 077 whatever its caller had). */
  umask?: number;
  /** The system mail spool, where sluice (unlike setgid procmail) may not create lockfiles. */
  spoolDir?: string;
  /** Seconds to wait for another process's kernel lock on an mbox before writing anyway (procmail: TIMEOUT). */
  kernelLockTimeoutSeconds?: number;
  /** Replaces the raw write/fsync calls (tests inject failures here). */
  io?: FileIO;
  /** Replaces the pause between lock attempts (tests). */
  sleep?: (seconds: number) => Promise<void>;
  /** The host name, when the caller already knows it (a resident worker asks once). */
  hostname?: string;
}

const sleepSeconds = (s: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, s) * 1000));

export class RealHost implements Effects {
  private readonly sink = new LogSink();
  private readonly names: UniqueNames;
  private readonly io: FileIO;
  private readonly dotlockEnv: DotlockEnv;
  private readonly kernelLockTimeoutMs: number;
  private host: string | undefined;
  private readonly pendingInput = new Set<Promise<unknown>>();

  constructor(opts: RealHostOptions = {}) {
    this.host = opts.hostname;
    this.names = new UniqueNames(() => process.pid, () => this.hostname());
    this.io = opts.io ?? realIO;
    this.kernelLockTimeoutMs = (opts.kernelLockTimeoutSeconds ?? 960) * 1000;
    this.dotlockEnv = { names: this.names, sleep: opts.sleep ?? sleepSeconds, spoolDir: opts.spoolDir ?? '/var/mail/' };
    this.setUmask(opts.umask ?? UMASK_DEFAULT);
  }

  log(text: string): void {
    this.sink.write(text);
  }

  setLogfile(path: string | undefined): boolean {
    return this.sink.open(path === '' ? '/dev/null' : path);
  }

  /** UMASK=: procmail calls umask() at once, so files, locks and programs all inherit it. */
  setUmask(mask: number): void {
    setProcessUmask(mask);
  }

  chdir(dir: string): boolean {
    try {
      process.chdir(nativeString(dir));
      return true;
    } catch {
      return false;
    }
  }

  cwd(): string {
    return fromNative(process.cwd());
  }

  async deliver(req: FolderDelivery): Promise<FolderResult> {
    this.setUmask(req.umask);
    let held: string | undefined;
    const ctx: WriteContext = {
      io: this.io,
      names: this.names,
      log: req.log,
      verbose: req.verbose,
      umask: req.umask,
      logOpen: this.sink.toFile,
      kernelLockTimeoutMs: this.kernelLockTimeoutMs,
      setLastFolder: (name) => req.setLastFolder(name),
    };
    const d = req.dotlock;
    if (d) {
      // DEFAULT/ORGMAIL: a plain mailbox gets the dotlock <folder>$LOCKEXT around the write,
      // unless that is the global LOCKFILE we already hold
      ctx.beforeMailboxWrite = async (path) => {
        const name = path + d.ext;
        if (d.globalLock !== undefined && name === d.globalLock) return;
        if (await takeDotlock({ ...d, path: name }, this.dotlockEnv)) held = name;
      };
    }
    try {
      return await deliverToFolders(ctx, req);
    } catch {
      // not a reported delivery failure but something unexpected: report it the procmail way
      req.log(quoted('Error while writing to', req.folders[0] ?? ''));
      return { ok: false, lastFolder: '', bytes: 0, failure: 'temporary' };
    } finally {
      if (held !== undefined) releaseDotlock(held, req.log, req.verbose);
    }
  }

  async run(req: ProgramRequest): Promise<ProgramResult> {
    const own = await runInProcess(req, (b) => this.sink.writeBytes(b), nodeSpawn((b) => this.sink.writeBytes(b)));
    if (own) return own;
    return runProgram(req, {
      stderrFd: this.sink.descriptor,
      stdoutToLog: req.stdoutToLog === true,
      pending: (done) => {
        this.pendingInput.add(done);
        void done.finally(() => this.pendingInput.delete(done));
      },
    });
  }

  lock(req: LockRequest): Promise<boolean> {
    return takeDotlock(req, this.dotlockEnv);
  }

  unlock(path: string, log: LogFn, verbose: boolean): void {
    releaseDotlock(path, log, verbose);
  }

  readRc(path: string, checkSecurity: 'none' | 'explicit' | 'default', _home: string): RcOpen {
    return readRcFileCached(path, checkSecurity);
  }

  async writeStdout(data: Buffer[]): Promise<void> {
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      let off = 0;
      try {
        while (off < b.length) off += fs.writeSync(1, b, off, b.length - off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return; // EPIPE: the reader left; procmail ignores it too
        // stdout is a non-blocking pipe that is full: the stream queues the rest, in order
        const rest = [b.subarray(off), ...data.slice(i + 1)];
        await new Promise<void>((resolve) => {
          rest.forEach((chunk, k) => process.stdout.write(chunk, k === rest.length - 1 ? () => resolve() : undefined));
        });
        return;
      }
    }
  }

  /** Release what the host holds (the LOGFILE descriptor) after a run inside a longer-lived process. */
  close(): void {
    this.sink.close();
  }

  async flush(): Promise<void> {
    // mail still on its way into pipes we did not wait for (their programs may run on)
    await Promise.all(this.pendingInput);
    // every other write is synchronous; only a queued stdout write can still be pending
    if (process.stdout.writableLength > 0) await new Promise<void>((r) => process.stdout.write('', () => r()));
  }

  now(): Date {
    return new Date();
  }

  pid(): number {
    return process.pid;
  }

  hostname(): string {
    if (this.host === undefined) this.host = os.hostname();
    return this.host;
  }
}
