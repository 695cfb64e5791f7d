// The dry-run host: the engine's Effects with every side effect replaced by a prediction.
// Folder writes are worked out against a VirtualTree (stat/readdir only), programs "would
// run" and answer neutrally, locks and log files are only noted, chdir moves a virtual
// current directory. rcfiles are read for real (read-only), with the real security checks.
// Nothing here writes to the file system, sends mail or starts a process, except programs
// that --run-programs allows (conditions, filters, captures, backticks) in a sandbox dir.
// formail commands are answered by sluice's own formail in this process (formail-model.ts).
import * as os from 'node:os';
import { posix } from 'node:path';
import type {
  Effects, FolderDelivery, FolderResult, LockRequest, LogFn, ProgramRequest, ProgramResult, RcOpen,
} from '../engine/effects.ts';
import { readRcFile } from '../deliver/rcfile.ts';
import { UniqueNames } from '../deliver/names.ts';
import { UMASK_DEFAULT } from '../limits.ts';
import type { Identity } from './access.ts';
import { absolute, predictFolders } from './folders.ts';
import { FormailModel } from './formail-model.ts';
import type { Delivery, ProgramPurpose, ProgramUse, Step } from './model.ts';
import { runInSandbox } from './sandbox.ts';
import { VirtualTree } from './vfs.ts';

const EMPTY = Buffer.alloc(0);
const DEV_NULL = '/dev/null';
const SPOOL_DIR = '/var/mail';

/**
 * Where the engine is in the rcfile, as the trace tells it (src/tester/recorder.ts keeps it
 * current). It lets the host name what a program is for, since a ProgramRequest does not say.
 */
export interface Cursor {
  phase: 'top' | 'conditions' | 'action';
  /** Flags of the recipe being run. */
  flags: string;
}

/** What the host collects for the message being run. */
export interface MessageEffects {
  trace: Step[];
  deliveries: Delivery[];
  programs: ProgramUse[];
  log: string[];
}

export interface DryRunHostOptions {
  /** Whose permissions decide whether a folder could be written (default: this process's). */
  identity: Identity;
  /** Run conditions, filters, captures and backticks for real, with this directory as cwd. */
  sandbox?: string;
  /** HOST check and Maildir names (default: this machine's name). */
  hostname?: string;
  /** Clock for messages and Maildir names (tests fix it). */
  now?: () => Date;
}

/** A ProgramRequest may carry what the program is for (an engine hint; see the report). */
type HintedRequest = ProgramRequest & { purpose?: ProgramPurpose };

export class DryRunHost implements Effects {
  readonly tree: VirtualTree;
  private readonly names: UniqueNames;
  private readonly formail = new FormailModel();
  private readonly rcCache = new Map<string, RcOpen>();
  private readonly rcTexts = new Map<string, Buffer>();
  private readonly rcLineCache = new Map<string, string[]>();
  private readonly host: string;
  private readonly clock: () => Date;
  private virtualCwd = '/';
  private umask = UMASK_DEFAULT;
  private logfile: string | undefined;
  private cursor: Cursor = { phase: 'top', flags: '' };
  private current: MessageEffects = { trace: [], deliveries: [], programs: [], log: [] };
  /** Lockfiles taken and not yet released (a local `:0:` lock, LOCKFILE). */
  private heldLocks: string[] = [];

  constructor(private readonly opts: DryRunHostOptions) {
    this.tree = new VirtualTree(opts.identity);
    this.host = opts.hostname ?? os.hostname();
    this.clock = opts.now ?? (() => new Date());
    this.names = new UniqueNames(() => process.pid, () => this.host, () => this.clock().getTime());
  }

  /** Start a new message: a fresh process as far as cwd, umask and log file go. */
  begin(cwd: string, cursor: Cursor): MessageEffects {
    this.virtualCwd = cwd;
    this.umask = UMASK_DEFAULT;
    this.logfile = undefined;
    this.heldLocks = [];
    this.cursor = cursor;
    this.current = { trace: [], deliveries: [], programs: [], log: [] };
    return this.current;
  }

  /** The LOGFILE the rc opened for this message (it would be created). */
  get logFile(): string | undefined {
    return this.logfile;
  }

  private abs(p: string): string {
    return absolute(this.virtualCwd, p);
  }

  /** The lines of an rcfile read so far (by the name the engine reports it under). */
  rcLines(name: string): string[] | undefined {
    const abs = absolute(this.virtualCwd, name);
    let lines = this.rcLineCache.get(abs);
    if (!lines) {
      const text = this.rcTexts.get(abs);
      if (!text) return undefined;
      lines = text.toString('latin1').split('\n');
      this.rcLineCache.set(abs, lines);
    }
    return lines;
  }

  /** Lockfiles held right now (for pipes, which the trace reports). */
  heldLockfiles(): string[] {
    return [...this.heldLocks];
  }

  /** Add a delivery the trace reported (pipes and forwards). */
  recordDelivery(d: Delivery): void {
    this.record(d);
  }

  // ------------------------------------------------------------------ Effects
  log(text: string): void {
    this.current.log.push(text);
    this.current.trace.push({ type: 'log', text });
  }

  setLogfile(path: string | undefined): boolean {
    if (path === undefined || path === '') {
      this.logfile = undefined;
      return true;
    }
    if (path === DEV_NULL) {
      this.logfile = DEV_NULL;
      return true;
    }
    const abs = this.abs(path);
    const e = this.tree.stat(abs);
    const ok = e ? e.type !== 'dir' && this.tree.writable(abs) : this.tree.createFile(abs, this.umask) !== null;
    this.logfile = ok ? abs : undefined;
    return ok;
  }

  setUmask(mask: number): void {
    this.umask = mask & 0o777;
  }

  chdir(dir: string): boolean {
    const abs = this.abs(dir);
    if (!this.tree.searchable(abs)) return false;
    this.virtualCwd = abs;
    return true;
  }

  cwd(): string {
    return this.virtualCwd;
  }

  async deliver(req: FolderDelivery): Promise<FolderResult> {
    const d = predictFolders({ tree: this.tree, cwd: this.virtualCwd, names: this.names }, req);
    d.copy = this.cursor.phase === 'action' && this.cursor.flags.includes('c');
    this.record(d);
    return {
      ok: d.ok,
      lastFolder: d.file ?? d.target,
      bytes: d.bytes ?? 0,
      ...(d.ok ? {} : { failure: 'permanent' as const }),
    };
  }

  async run(req: ProgramRequest): Promise<ProgramResult> {
    const purpose = this.purposeOf(req);
    // a direct command's display is only its program name: show the whole argument list then
    const command = req.display === undefined || req.display === req.argv[0] ? req.argv.join(' ') : req.display;
    const use: ProgramUse = { purpose, command, ran: false, status: 0 };
    this.current.programs.push(use);
    this.current.trace.push({ type: 'program', program: use });
    if (this.formail.handles(req)) {
      // sluice's own formail, in this process, on a private copy of any -D cache
      const res = await this.formail.run(req, this.virtualCwd, (t) => this.log(t));
      use.ran = true;
      use.inProcess = true;
      use.status = res.status;
      return res;
    }
    if (this.opts.sandbox !== undefined && purpose !== 'pipe' && purpose !== 'forward' && purpose !== 'trap') {
      const res = await runInSandbox(req, this.opts.sandbox, (t) => this.log(t));
      use.ran = true;
      use.status = res.status;
      return res;
    }
    // the neutral answer: success, no output; a filter hands the text back unchanged (as `cat`)
    const stdout = purpose === 'filter' ? Buffer.concat(req.stdin) : EMPTY;
    return { status: 0, stdout, writeError: false, timedOut: false };
  }

  async lock(req: LockRequest): Promise<boolean> {
    const abs = this.abs(req.path);
    if (posix.dirname(abs) === SPOOL_DIR && !this.tree.canCreate(abs)) {
      // as the real host: the system spool is procmail's privilege, the lock is bypassed
      if (req.verbose) req.log(`procmail: Bypassed locking "${req.path}"\n`);
      return false;
    }
    if (req.verbose) req.log(`procmail: Locking "${req.path}"\n`);
    if (!this.tree.canCreate(abs)) {
      req.log(`procmail: Lock failure on "${req.path}"\n`);
      return false;
    }
    this.heldLocks.push(req.path);
    return true;
  }

  unlock(path: string, log: LogFn, verbose: boolean): void {
    if (verbose) log(`procmail: Unlocking "${path}"\n`);
    this.heldLocks = this.heldLocks.filter((p) => p !== path);
  }

  readRc(path: string, checkSecurity: 'none' | 'explicit' | 'default', _home: string): RcOpen {
    const abs = this.abs(path);
    const key = `${checkSecurity} ${abs}`;
    let r = this.rcCache.get(key);
    if (r === undefined) {
      r = readRcFile(abs, checkSecurity, this.opts.identity);
      this.rcCache.set(key, r);
      if (r.ok) this.rcTexts.set(abs, r.text);
    }
    return r;
  }

  async writeStdout(data: Buffer[]): Promise<void> {
    const bytes = data.reduce((n, b) => n + b.length, 0);
    this.record({
      kind: 'stdout', target: '|', ok: true, bytes, fallback: false,
      copy: this.cursor.phase === 'action' && this.cursor.flags.includes('c'),
    });
  }

  async flush(): Promise<void> {}

  /** formail -D cache files a real run would have written (the dry run used private copies). */
  formailCaches(): { path: string; copy: string }[] {
    return this.formail.caches();
  }

  /** The end of a dry run: drop the private copies of formail caches. */
  close(): void {
    this.formail.close();
  }

  now(): Date {
    return this.clock();
  }

  pid(): number {
    return process.pid;
  }

  hostname(): string {
    return this.host;
  }

  // ------------------------------------------------------------------ helpers
  private record(d: Delivery): void {
    if (this.heldLocks.length && d.kind !== 'stdout') d.locks = [...new Set([...this.heldLocks, ...(d.locks ?? [])])];
    this.current.deliveries.push(d);
    this.current.trace.push({ type: 'delivery', delivery: d });
  }

  /** Pipes and forwards are deliveries; the rest is told apart by where the engine is. */
  private purposeOf(req: HintedRequest): ProgramPurpose {
    if (req.purpose) return req.purpose;
    if (req.stdoutToLog) return 'trap';
    const { phase, flags } = this.cursor;
    if (phase === 'conditions') return req.captureStdout ? 'backtick' : 'condition';
    if (phase === 'action') {
      if (req.captureStdout) return flags.includes('f') ? 'filter' : 'capture';
      return req.argv[0] === req.env.SENDMAIL ? 'forward' : 'pipe';
    }
    if (req.env.TRAP && req.display === req.env.TRAP) return 'trap';
    return req.captureStdout ? 'backtick' : 'pipe';
  }
}
