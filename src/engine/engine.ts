// The procmail interpreter. Like procmail it executes while it reads the rcfile (an
// assignment takes effect before the next line is read, INCLUDERC splices a file in), so
// this is one loop over an RcReader, not a walk over a tree. Every decision is made here;
// every side effect goes through `Effects`.
import type { Effects, MailParts, ProgramResult } from './effects.ts';
import { RcReader, StringSource } from '../rc/reader.ts';
import { parseRecipeHeader } from '../rc/header.ts';
import { readParse, splitWords, type ExpandContext, type ParseMode } from '../rc/readparse.ts';
import { Environment, renvint } from './vars.ts';
import { hasAny, ltstr, squeeze } from './procmail-text.ts';
import { dumpData, type Message } from '../message/index.ts';
import { MailView } from './mailview.ts';
import { matchCondition, regexLoading, scoreRegex } from './match.ts';
import {
  INCLUDE_DEPTH_MAX, LINEBUF_DEFAULT, LINEBUF_MIN, LOCKSLEEP_DEFAULT, LOCKTIMEOUT_DEFAULT,
  SUSPEND_DEFAULT, TIMEOUT_DEFAULT, UMASK_DEFAULT,
} from '../limits.ts';
import { EX_CANTCREAT, EX_OK, EX_TEMPFAIL } from '../sysexits.ts';

const NL = 0x0a;
const MAX32 = 2147483647;
/** What a pipe absorbs before its reader has to read (Linux): writes this small never fail. */
const PIPE_CAPACITY = 65536;
const MIN32 = -2147483647;

type Flags = Record<string, boolean>;

export interface RcSpec {
  /** Path as given (absolute, ./relative, or relative to $HOME). */
  path: string;
  kind: 'absolute' | 'current' | 'default';
}

/**
 * Observers of the engine's decisions, for `sluice test` (explanations) and tests. They are
 * told what happened; they cannot change it.
 */
export interface EngineTrace {
  rcfile?(path: string): void;
  /** A recipe header was read (only for recipes that are not being skipped). */
  recipe?(at: { file: string; line: number; flags: string; lockfile?: string }): void;
  /** One condition was evaluated. */
  condition?(c: { text: string; matched: boolean; score?: number; match?: string }): void;
  /** The outcome of a recipe's conditions. */
  recipeMatched?(matched: boolean): void;
  /** An action ran: folder(s), pipe, forward, filter, capture or a block entered. */
  action?(a: { kind: 'folder' | 'pipe' | 'forward' | 'filter' | 'capture' | 'block' | 'default'; target: string; ok: boolean; copy: boolean }): void;
  assign?(name: string, value: string | undefined): void;
}

export interface EngineInit {
  /** Optional observer of decisions (see EngineTrace). */
  trace?: EngineTrace;
  fx: Effects;
  /** The message as read (src/message readMessage). */
  mail: Message;
  /** -Y */
  berkeley: boolean;
  env: Environment;
  /** Positional arguments ($1...) and $0. */
  args: string[];
  argv0: string;
  /** -t: a final failure exits EX_TEMPFAIL instead of EX_CANTCREAT. */
  tempfail: boolean;
  /** VAR=value arguments, applied after the defaults. */
  assignments: string[];
  /** rcfiles to try in order (command line), or the default one. */
  rcfiles: RcSpec[];
  /** The system-wide rcfile run before the user's (/etc/procmailrc), when one applies. */
  etcrc?: string;
  /** -m: ORGMAIL and DEFAULT are not used; the first non-assignment argument is the rcfile. */
  mailfilter: boolean;
  /** Directory procmail would chdir to when no MAILDIR change happened ($HOME normally). */
  defaultMaildir: string;
}

export interface EngineResult {
  exitCode: number;
}

type LoopStatus = 'delivered' | 'eof' | 'host';
type ProgramPurpose = NonNullable<import('./effects.ts').ProgramRequest['purpose']>;

export class Engine implements ExpandContext {
  private readonly fx: Effects;
  private env: Environment;
  private reader = new RcReader();
  private mail: MailView;
  private posArgs: string[];
  private readonly argv0: string;
  // internal copies of numeric variables (procmail's strenvvar[])
  private verbose = 0;
  private lgabstract = -1;
  private locksleep = LOCKSLEEP_DEFAULT;
  private locktimeout = LOCKTIMEOUT_DEFAULT;
  private suspend = SUSPEND_DEFAULT;
  private timeout = TIMEOUT_DEFAULT;
  private linebufSize = LINEBUF_DEFAULT;
  private umask = UMASK_DEFAULT;
  private logopened = false;
  private setxit = false;
  private lastExitCode = 0;
  private lastScoreValue = 0;
  private retval: number;
  private fakedelivery = 0;
  private lastdump = 0;
  private globlock: string | undefined;
  private loclock: string | undefined;
  private ifstack: boolean[] = [];
  private ifdepth = 0;
  private didchd = false;
  private rawnonl = false;
  private pwait = 0;
  private ignwerr = false;
  /** Delivering pipes started only after the abstract is logged (see programAction). */
  private deferred: { cmd: Command; data: Buffer[]; env: Record<string, string>; purpose: 'pipe' | 'forward' }[] = [];
  private readonly init: EngineInit;

  constructor(init: EngineInit) {
    this.init = init;
    this.fx = init.fx;
    this.env = init.env;
    this.mail = new MailView(init.mail, init.berkeley);
    this.posArgs = init.args.slice();
    this.argv0 = init.argv0;

    this.retval = init.tempfail ? EX_TEMPFAIL : EX_CANTCREAT;
  }

  // ------------------------------------------------------------------ logging
  private elog(text: string): void {
    this.fx.log(text);
  }
  private nlog(text: string): void {
    this.fx.log(`procmail: ${text}`);
  }
  private nlogq(msg: string, arg: string): void {
    this.fx.log(`procmail: ${msg} "${arg}"\n`);
  }
  private yell(msg: string, arg: string): void {
    if (this.verbose) this.nlogq(msg, arg);
  }
  private readonly logFn = (text: string): void => this.fx.log(text);

  // ------------------------------------------------------------------ ExpandContext
  get(name: string): string | undefined {
    const c = name.charCodeAt(0);
    if (name.length === 1 && c >= 0x30 && c <= 0x39) {
      const j = c - 0x30;
      if (j === 0) return this.argv0;
      return j <= this.posArgs.length ? this.posArgs[j - 1] : undefined;
    }
    return this.env.get(name);
  }
  pid(): number {
    return this.fx.pid();
  }
  lastExit(): number {
    return this.lastExitCode;
  }
  lastScore(): number {
    return this.lastScoreValue;
  }
  argCount(): number {
    return this.posArgs.length;
  }
  args(): string[] {
    return this.posArgs;
  }
  rcName(): string {
    return this.reader.name;
  }
  linebuf(): number {
    return this.linebufSize;
  }
  hasShellMetas(text: string): boolean {
    return hasAny(text, this.env.text('SHELLMETAS'));
  }
  log(text: string): void {
    this.nlog(text);
  }
  async backtick(command: string, argv: string[] | null): Promise<string> {
    const cmd = argv ? directCommand(argv) : shellCommand(this.shellArgv(command), command);
    const feed = pipeFeed([this.mail.head, this.mail.body], false);
    const res = await this.runProgram(cmd, feed.data, { wait: true, capture: true, purpose: 'backtick' });
    let out = res.stdout.toString('latin1');
    if (out.length > this.linebufSize) {
      out = out.slice(0, this.linebufSize);
      this.nlogq('Excessive output quenched from', command);
      this.setOverflow();
    } else {
      out = out.replace(/\n+$/, '');
    }
    return out;
  }

  private async parse(src: { getc(): number }, mode: ParseMode, skipping: boolean) {
    const res = await readParse(src, mode, skipping, this);
    if (res.overflow) this.setOverflow();
    return res;
  }

  /** procmail's setoverflow(): some expansion exceeded LINEBUF. */
  private setOverflow(): void {
    this.putenv('PROCMAIL_OVERFLOW', 'yes');
  }

  private shellArgv(command: string): string[] {
    const flags = this.env.text('SHELLFLAGS');
    return [this.env.text('SHELL'), ...(flags ? [flags] : []), command];
  }

  // ------------------------------------------------------------------ variables
  /** sputenv(): assign (or remove, value undefined) with VERBOSE's "Assigning". */
  private putenv(name: string, value: string | undefined): void {
    this.yell('Assigning', value === undefined ? name : `${name}=${value}`);
    if (value === undefined) this.env.unset(name);
    else this.env.set(name, value);
  }

  /** An assignment from an rcfile or the command line: store it, then its magic. */
  private async assign(name: string, value: string | undefined): Promise<void> {
    this.putenv(name, value);
    this.init.trace?.assign?.(name, value);
    await this.asenv(name, value ?? '');
  }

  /** procmail's asenv(): the immediate effects of the special variables. */
  private async asenv(name: string, value: string): Promise<void> {
    switch (name) {
      case 'LINEBUF':
        this.linebufSize = Math.max(renvint(0, value), LINEBUF_MIN);
        return;
      case 'MAILDIR':
        if (!this.fx.chdir(value)) {
          this.nlogq("Couldn't chdir to", value);
          this.setMaildir('.');
        } else this.didchd = true;
        return;
      case 'LOGFILE': {
        const file = value === '' ? '/dev/null' : value;
        if (this.fx.setLogfile(file)) this.logopened = true;
        else this.nlogq('Error while writing to', file);
        return;
      }
      case 'LOG':
        this.elog(value);
        return;
      case 'EXITCODE':
        this.setxit = true;
        return;
      case 'SHIFT': {
        const n = renvint(0, value);
        if (n > 0) this.posArgs = this.posArgs.slice(Math.min(n, this.posArgs.length));
        return;
      }
      case 'DROPPRIVS':
        if (renvint(0, value) && this.verbose) this.nlog('Assuming identity of the recipient, VERBOSE=off\n');
        return;
      case 'DELIVERED':
        // procmail forks here and the parent tells the MTA "delivered" at once. We cannot fork
        // in Node: we remember it, so that the exit status is 0 whatever happens later.
        if (renvint(0, value)) this.fakedelivery = 1;
        return;
      case 'LOCKFILE':
        await this.setGlobalLock(value);
        return;
      case 'UMASK':
        this.umask = /^\s*[0-7]/.test(value) ? parseInt(value, 8) & 0o777 : 0;
        this.fx.setUmask?.(this.umask);
        return;
      case 'INCLUDERC':
        if (this.reader.open) this.pushrc(value);
        return;
      case 'SWITCHRC':
        if (this.reader.open) this.changerc(value);
        return;
      case 'HOST': {
        const host = this.fx.hostname();
        if (value !== host) {
          this.yell('HOST mismatched', host);
          this.reader.closeAll();
          this.ifstack.length = this.ifdepth = 0;
        }
        this.putenv('HOST', host);
        return;
      }
      case 'LOCKSLEEP': this.locksleep = renvint(this.locksleep, value); return;
      case 'LOCKTIMEOUT': this.locktimeout = renvint(this.locktimeout, value); return;
      case 'SUSPEND': this.suspend = renvint(this.suspend, value); return;
      case 'TIMEOUT': this.timeout = renvint(this.timeout, value); return;
      case 'VERBOSE': this.verbose = renvint(this.verbose, value); return;
      case 'LOGABSTRACT': this.lgabstract = renvint(this.lgabstract, value); return;
      default:
        return;
    }
  }

  private setMaildir(dir: string): void {
    this.didchd = true;
    this.putenv('MAILDIR', dir);
  }

  private setLastFolder(name: string): void {
    this.putenv('LASTFOLDER', name);
  }

  // ------------------------------------------------------------------ rcfiles
  private resolveRcName(name: string): string {
    // bopen(): a relative name is reported ($_) with $MAILDIR prepended when that is absolute
    const md = this.env.text('MAILDIR');
    if (!name.startsWith('/') && md.startsWith('/')) return `${md}/${name}`;
    return name;
  }

  private pushrc(name: string): void {
    if (!name || name === '/dev/null') return;
    if (this.reader.depth >= INCLUDE_DEPTH_MAX) {
      this.nlogq("Couldn't read", name);
      return;
    }
    const r = this.fx.readRc(name, 'none', '');
    if (!r.ok) {
      this.nlogq("Couldn't read", name);
      return;
    }
    if (r.text.length === 0) return;
    this.reader.current && (this.frameIfdepth.push(this.ifdepth));
    this.ifdepth = this.ifstack.length;
    this.reader.push(this.resolveRcName(name), r.text.toString('latin1'), this.ifdepth);
  }
  private frameIfdepth: number[] = [];

  private changerc(name: string): void {
    if (!name || name === '/dev/null') {
      this.ifstack.length = this.ifdepth;
      this.reader.exhaust();
      return;
    }
    const r = this.fx.readRc(name, 'none', '');
    if (!r.ok) {
      this.nlogq("Couldn't read", name);
      return;
    }
    if (r.text.length === 0) {
      this.ifstack.length = this.ifdepth;
      this.reader.exhaust();
      return;
    }
    this.reader.replace(this.resolveRcName(name), r.text.toString('latin1'));
    this.ifstack.length = this.ifdepth;
  }

  /** End of the current rcfile: go back to the including one, if any. */
  private poprc(): boolean {
    if (this.ifstack.length > this.ifdepth) this.ifstack.length = this.ifdepth;
    const more = this.reader.pop();
    if (more) this.ifdepth = this.frameIfdepth.pop() ?? 0;
    return more;
  }

  // ------------------------------------------------------------------ locks
  private lockRequest(path: string) {
    return {
      path,
      sleepSeconds: this.locksleep,
      timeoutSeconds: this.locktimeout,
      suspendSeconds: this.suspend,
      verbose: !!this.verbose,
      log: this.logFn,
    };
  }

  private async setGlobalLock(value: string): Promise<void> {
    if (this.globlock) {
      this.fx.unlock(this.globlock, this.logFn, !!this.verbose);
      this.globlock = undefined;
    }
    if (!value) return;
    if (await this.fx.lock(this.lockRequest(value))) this.globlock = value;
    else this.putenv('LOCKFILE', undefined);
  }

  /** lcllock(): the local lockfile of a `:0:` recipe. */
  private async localLock(explicit: string | undefined, implicit: string): Promise<void> {
    let name = explicit ?? `${implicit}${this.env.text('LOCKEXT')}`;
    if (explicit === undefined && implicit === '') name = this.env.text('LOCKEXT');
    if (this.globlock !== undefined && name === this.globlock) {
      this.nlogq('Deadlock attempted on', name);
      return;
    }
    if (await this.fx.lock(this.lockRequest(name))) this.loclock = name;
  }

  private unlockLocal(): void {
    if (this.loclock !== undefined) {
      this.fx.unlock(this.loclock, this.logFn, !!this.verbose);
      this.loclock = undefined;
    }
  }

  // ------------------------------------------------------------------ programs
  private async runProgram(
    cmd: Command,
    stdin: Buffer[],
    opt: { wait: boolean; capture: boolean; stdoutToLog?: boolean; env?: Record<string, string>; purpose: ProgramPurpose },
  ): Promise<ProgramResult> {
    if (this.verbose) {
      this.nlogq('Executing', cmd.shell ? cmd.display : cmd.argv.join(','));
    }
    const res = await this.fx.run({
      argv: cmd.argv,
      env: opt.env ?? this.env.toRecord(),
      stdin,
      wait: opt.wait,
      captureStdout: opt.capture,
      stdoutToLog: opt.stdoutToLog,
      timeoutSeconds: this.timeout,
      log: this.logFn,
      display: cmd.errName,
      purpose: opt.purpose,
    });
    if (opt.wait) this.lastExitCode = res.status;
    return res;
  }

  /**
   * metaparse(): a command with shell metacharacters goes to $SHELL as written; otherwise
   * procmail splits and expands it itself (and hands `test` to the shell after all).
   */
  private async commandArgv(line: string): Promise<Command> {
    if (this.hasShellMetas(line)) return shellCommand(this.shellArgv(line), line);
    const parsed = await this.parse(new StringSource(line), 'words', false);
    const words = splitWords(parsed.text);
    if (parsed.overflow || words[0] === 'test') return shellCommand(this.shellArgv(line), line);
    return directCommand(words);
  }

  private progerr(display: string, status: number, quiet: boolean): void {
    this.nlogq(quiet ? `Non-zero exitcode (${status}) from` : `Program failure (${status}) of`, display);
  }

  // ------------------------------------------------------------------ main entry
  async run(): Promise<EngineResult> {
    // command-line assignments come first: they override the defaults
    for (const a of this.init.assignments) {
      const eq = a.indexOf('=');
      const name = a.slice(0, eq);
      const parsed = await this.parse(new StringSource(a.slice(eq + 1)), 'keep', false);
      const value = parsed.text.endsWith('\0') ? parsed.text.slice(0, -1) : parsed.text;
      await this.assign(name, value);
    }
    let status: LoopStatus = 'eof';
    let delivered = false;
    const etc = this.init.etcrc;
    if (etc) {
      const r = this.fx.readRc(etc, 'none', '');
      if (r.ok) {
        this.yell('Rcfile:', etc);
        this.reader.push(etc, r.text.toString('latin1'), 0);
        if ((await this.mainloop(false)) !== 'eof') delivered = true;
        this.reader.closeAll();
      }
    }
    const rcfiles = delivered ? [] : this.init.rcfiles;
    let dowarning = true;
    for (let k = 0; k < rcfiles.length; k++) {
      const spec = rcfiles[k]!;
      // a missing default rcfile ($HOME/.procmailrc) is normal: procmail says nothing
      if (await this.tryopen(spec, dowarning && spec.kind !== 'default')) {
        status = await this.mainloop(false);
        if (status === 'delivered') { delivered = true; break; }
        if (status === 'eof') break;
        if (k === rcfiles.length - 1) { delivered = true; break; } // HOST mismatch: mail "delivered"
      } else {
        dowarning = false;
      }
    }
    if (!delivered) delivered = await this.deliverDefault();
    if (delivered) this.retval = EX_OK;
    this.unlockLocal();
    return { exitCode: await this.terminate() };
  }

  private async tryopen(spec: RcSpec, dowarning: boolean): Promise<boolean> {
    let path = spec.path;
    if (spec.kind === 'absolute' && !path.startsWith('/')) path = `${this.init.defaultMaildir}/${path}`;
    if (spec.kind === 'default' && !path.startsWith('/')) path = `${this.env.text('HOME')}/${path}`;
    const mode = spec.kind === 'current' ? 'none' : spec.kind === 'default' ? 'default' : 'explicit';
    const r = this.fx.readRc(path, mode, this.env.text('HOME'));
    if (!r.ok) {
      if (r.reason === 'suspicious') {
        this.nlogq('Suspicious rcfile', path);
        this.nlogq("Couldn't read", path);
      } else if (dowarning) this.nlogq("Couldn't read", path);
      return false;
    }
    if (spec.kind === 'current') {
      if (!this.didchd) this.setMaildir('.');
    }
    this.yell('Rcfile:', path);
    this.init.trace?.rcfile?.(path);
    if (!this.didchd) {
      let dir = this.init.defaultMaildir;
      if (!this.fx.chdir(dir)) {
        this.nlogq("Couldn't chdir to", dir);
        const home = this.env.text('HOME');
        if (home === dir || !this.fx.chdir(home)) {
          if (home !== dir) this.nlogq("Couldn't chdir to", home);
          dir = '.';
        } else dir = home;
      }
      this.setMaildir(dir);
    }
    this.ifstack.length = 0;
    this.ifdepth = 0;
    this.reader.push(path, r.text.toString('latin1'), 0);
    return true;
  }

  /** Falling off the end of the rcfiles: DEFAULT, then ORGMAIL. */
  private async deliverDefault(): Promise<boolean> {
    const def = this.env.text('DEFAULT');
    const whole: MailParts = { head: this.mail.head, body: this.mail.body };
    if (def) {
      const ok = await this.writeFolder([def], whole, false, true);
      this.traceAction('default', def, ok, false);
      if (ok) return true;
    }
    const org = this.env.text('ORGMAIL');
    if (org && org !== def) {
      this.rawnonl = false;
      const ok = await this.writeFolder([org], whole, false, false);
      this.traceAction('default', org, ok, false);
      if (ok) return true;
    }
    return false;
  }

  private async terminate(): Promise<number> {
    let folder: string;
    if (this.retval !== EX_OK) {
      folder = this.fakedelivery ? '**Lost**' : this.retval === EX_TEMPFAIL ? '**Requeued**' : '**Bounced**';
    } else folder = this.env.text('LASTFOLDER');
    this.logAbstract(folder);
    for (const d of this.deferred.splice(0)) await this.runProgram(d.cmd, d.data, { wait: false, capture: false, env: d.env, purpose: d.purpose });
    await this.exectrap();
    this.unlockLocal();
    if (this.globlock) {
      this.fx.unlock(this.globlock, this.logFn, !!this.verbose);
      this.globlock = undefined;
    }
    await this.fx.flush();
    if (this.fakedelivery) return EX_OK;
    return this.retval;
  }

  private logAbstract(folder: string): void {
    if (this.lgabstract > 0 || ((this.logopened || this.verbose) && this.lgabstract)) {
      this.elog(this.mail.abstract(folder, this.lastdump));
    }
  }

  private async exectrap(): Promise<void> {
    const trap = this.env.text('TRAP');
    // setexitcode(): EXITCODE given explicitly overrides; with a TRAP and no EXITCODE, provide one
    let forceret = -1;
    const ec = this.env.get('EXITCODE');
    if (this.setxit && ec !== undefined) {
      forceret = renvint(-2, ec);
      if (forceret >= 0) this.retval = forceret;
    } else if (trap) {
      this.putenv('EXITCODE', String(this.retval));
    }
    if (!trap) return;
    this.rawnonl = false;
    const cmd = await this.commandArgv(trap);
    const feed = pipeFeed([this.mail.head, this.mail.body], false);
    // the TRAP's stdout goes to the log, like its stderr
    const res = await this.runProgram(cmd, feed.data, { wait: true, capture: false, stdoutToLog: true, purpose: 'trap' });
    if (res.status !== 0 && forceret === -2) this.retval = res.status;
  }

  // ------------------------------------------------------------------ the interpreter loop
  private async mainloop(varonly: boolean): Promise<LoopStatus> {
    const r = this.reader;
    let lastsucc = false;
    let lastcond = false;
    let prevcond = false;
    let skiprc = 0;
    for (;;) {
      this.unlockLocal();
      for (;;) {
        do r.skipSpace();
        while (r.test(NL));
        if (!r.test('#')) break;
        r.skipLine();
      }
      if (r.test(':')) {
        const out = await this.recipe(varonly, skiprc, { prevcond, lastcond, lastsucc });
        if (out.status) return out.status;
        skiprc = out.skiprc;
        prevcond = out.prevcond;
        lastcond = out.lastcond;
        lastsucc = out.lastsucc;
      } else if (r.test('}')) {
        if (skiprc > 1) skiprc -= 2;
        else if (this.ifstack.length > this.ifdepth) {
          lastcond = this.ifstack.pop()!;
          prevcond = this.ifstack.pop()!;
        } else this.nlog('Closing brace unexpected\n');
      } else {
        const stop = await this.assignmentLine(skiprc);
        if (stop) return 'eof';
      }
      if (!r.open) return 'host';
      if (r.atEof()) {
        skiprc = 0;
        if (!this.poprc()) return 'eof';
      }
    }
  }

  /** A line that is not a recipe: an assignment, an unset, or something to skip. */
  private async assignmentLine(skiprc: number): Promise<boolean> {
    const r = this.reader;
    const g = r.readName();
    if (!g.usable) {
      // procmail reports what it could not use: the partial name, or else the rest of the line
      const text = g.name || (r.getLine() ?? '');
      if (text) this.nlogq('Skipped', text);
      return false;
    }
    const name = g.name;
    r.skipSpace();
    if (r.test('=')) {
      const parsed = await this.parse(r, 'value', skiprc !== 0);
      if (parsed.overflow) return false;
      if (!skiprc) await this.assign(name, stripNul(parsed.text));
    } else if (!skiprc) {
      await this.assign(name, undefined);
    }
    return false;
  }

  // ------------------------------------------------------------------ recipes
  private async recipe(
    varonly: boolean,
    skiprcIn: number,
    st: { prevcond: boolean; lastcond: boolean; lastsucc: boolean },
  ): Promise<{ status?: LoopStatus; skiprc: number; prevcond: boolean; lastcond: boolean; lastsucc: boolean }> {
    const r = this.reader;
    let skiprc = skiprcIn;
    let { prevcond, lastcond, lastsucc } = st;
    let flags: Flags = {};
    let locknext = false;
    let tolock: string | undefined;
    let i: number;
    do {
      const line = this.init.trace?.recipe ? r.lineNumber() : 0; // the `:0` line (its ':' is read)
      const hdr = await this.parse(r, 'words', skiprc !== 0);
      if (hdr.overflow) return { status: 'eof', skiprc, prevcond, lastcond, lastsucc };
      const h = parseRecipeHeader(hdr.text);
      const nrcond = h.nrcond;
      flags = {};
      for (const f of h.flags) flags[f] = true;
      locknext = h.lockfile !== undefined;
      tolock = h.lockfile || undefined; // '' = the implicit lockfile
      const leftover = h.leftover;
      if (leftover) this.nlogq('Skipped', leftover);
      const trace = this.init.trace;
      if (trace?.recipe && !skiprc) {
        trace.recipe({ file: r.name, line, flags: Object.keys(flags).filter((f) => flags[f]).join(''), lockfile: locknext ? (tolock ?? '') : undefined });
      }
      i = await this.conditions(flags, prevcond, lastsucc, lastcond, skiprc !== 0, nrcond);
      if (trace?.recipeMatched && !skiprc) trace.recipeMatched(i === 1);
      if (!skiprc) {
        if (!flags.A && !flags.a) lastcond = i === 1;
        if (!prevcond || !flags.E) prevcond = i === 1;
      }
    } while (i === 2);

    const matched = i === 1;
    // what the action gets: header, body or both
    let part: MailParts;
    let whole = true;
    if (flags.h) {
      part = flags.b ? this.mail.parts() : { head: this.mail.head, body: Buffer.alloc(0) };
      if (!flags.b) whole = false;
    } else if (flags.b) {
      part = { head: Buffer.alloc(0), body: this.mail.body };
      whole = false;
    } else part = this.mail.parts();
    const headOnly = !!flags.h && !flags.b;
    let capture: string | null = null;
    let succeed = false;
    this.pwait = (flags.w ? 1 : 0) | (flags.W ? 2 : 0);
    this.ignwerr = !!flags.i;
    r.skipSpace();

    const delivered = () => ({ status: 'delivered' as const, skiprc, prevcond, lastcond, lastsucc });
    // after an executed action: remember success for `a`/`e`, log the abstract for `c` copies
    const setlsucc = (logAbstract: boolean) => {
      if (logAbstract && succeed && flags.c && this.lgabstract === 2) this.logAbstract(this.env.text('LASTFOLDER'));
      this.rawnonl = false;
      lastsucc = succeed;
    };

    let kind: 'forward' | 'pipe' | 'other';
    if (r.test('!')) kind = 'forward';
    else if (r.test('|')) kind = 'pipe';
    else kind = 'other';

    for (;;) {
      if (kind === 'forward') {
        if (!matched || (varonly && !capture)) skiprc |= 1;
        const words: string[] = [this.env.text('SENDMAIL')];
        const sf = this.env.text('SENDMAILFLAGS');
        if (sf) words.push(...sf.split(/[ \t\n]+/).filter(Boolean));
        const parsed = await this.parse(r, 'words', skiprc !== 0);
        if (parsed.overflow) {
          succeed = false;
          setlsucc(false);
          skiprc &= ~1;
          break;
        }
        if (matched) {
          words.push(...splitWords(parsed.text));
          const feedParts = whole || headOnly ? this.mail.partsWithoutFrom(part) : part;
          const res = await this.programAction(
            directCommand(words),
            feedParts, flags, locknext, tolock, headOnly, whole, 'forward',
          );
          succeed = res;
          this.traceAction(flags.f ? 'filter' : 'forward', words.slice(1).join(' '), succeed, !!flags.c);
          if (succeed && !flags.c && !flags.f && !capture) return delivered();
          setlsucc(!flags.f && !capture);
        }
        skiprc &= ~1;
        break;
      }
      if (kind === 'pipe') {
        const line = r.getLogicalLine();
        if (matched || (varonly && !capture)) {
          if (line.length > this.linebufSize) {
            this.nlog('Exceeded LINEBUF\n');
            this.setOverflow();
            break;
          }
          const cmd = await this.commandArgv(line);
          if (!cmd.shell && cmd.argv.length === 0) {
            // a lone `|`: the mail goes to our own stdout
            succeed = await this.writeFolder(['|'], part, !!flags.r, false, locknext, tolock);
            if (succeed && !flags.c) return delivered();
            setlsucc(true);
            break;
          }
          succeed = await this.programAction(cmd, part, flags, locknext, tolock, headOnly, whole);
          this.traceAction(flags.f ? 'filter' : 'pipe', cmd.display, succeed, !!flags.c);
          if (succeed && !flags.c && !flags.f && !capture) return delivered();
          setlsucc(!flags.f && !capture);
        }
        break;
      }
      // a folder, a nested block, or `VAR=| cmd`
      if (r.atEof()) {
        this.nlog('Incomplete recipe\n');
        break;
      }
      const fflag = !!flags.f;
      if (fflag) {
        flags.f = false;
        this.nlog('Extraneous filter-flag ignored\n');
      }
      let prefix = '';
      const name = this.peekVarName();
      if (name !== null) {
        prefix = name.text;
        if (name.eq) {
          const c = r.getc();
          r.ungetc(c);
          if (c === 0x21 || c === 0x7c) {
            if (matched) capture = name.name;
            kind = c === 0x21 ? 'forward' : 'pipe';
            r.getc();
            if (kind === 'forward') continue;
            // capture: `VAR=| cmd`
            const line = r.getLogicalLine();
            if (matched || varonly) {
              const cmd = await this.commandArgv(line);
              if (flags.c) this.nlog('Extraneous copy-flag ignored\n');
              succeed = await this.captureAction(name.name, cmd, part, flags);
              this.traceAction('capture', `${name.name}=| ${cmd.display}`, succeed, false);
              setlsucc(false);
            }
            break;
          }
        }
      } else if (r.test('{')) {
        const c = r.getc();
        r.ungetc(c);
        if (c === 0x20 || c === 0x09 || c === NL) {
          return this.block(matched, flags, locknext, tolock, skiprc, prevcond, lastcond, lastsucc);
        }
        prefix = '{';
      }
      if (!matched || varonly) skiprc |= 1;
      const parsed = await this.parse(r, 'words', skiprc !== 0);
      if (parsed.overflow) {
        succeed = false;
        setlsucc(false);
        skiprc &= ~1;
        break;
      }
      if (matched) {
        const folders = splitWords(prefix + parsed.text);
        const src = fflag ? this.mail.parts() : part;
        succeed = await this.writeFolder(folders, src, !!flags.r, false, locknext, tolock);
        this.traceAction('folder', folders.join(' '), succeed, !!flags.c);
        if (succeed && !flags.c) return delivered();
        setlsucc(true);
      }
      skiprc &= ~1;
      break;
    }
    return { skiprc, prevcond, lastcond, lastsucc };
  }

  /**
   * In the folder position procmail first reads a variable name (gobenv): that decides
   * between `VAR=| cmd` and a folder called VAR.... Returns the characters read.
   */
  private peekVarName(): { name: string; eq: boolean; text: string } | null {
    const r = this.reader;
    const { name, usable } = r.readName();
    if (!name) return null;
    if (usable) {
      const sp = r.skipSpace();
      if (r.test('=')) {
        r.skipSpace();
        return { name, eq: true, text: name + '=' };
      }
      // a folder name followed by more names: keep the word boundary
      return { name, eq: false, text: sp ? name + '\0' : name };
    }
    return { name, eq: false, text: name };
  }

  private async block(
    matched: boolean, flags: Flags, locknext: boolean, tolock: string | undefined,
    skiprcIn: number, prevcond: boolean, lastcond: boolean, lastsucc: boolean,
  ) {
    let skiprc = skiprcIn;
    if (locknext && !flags.c) this.nlog('Extraneous locallockfile ignored\n');
    if (flags.b) this.nlog('Extraneous deliver-body flag ignored\n');
    if (flags.h) this.nlog('Extraneous deliver-head flag ignored\n');
    if (flags.i) this.nlog('Extraneous ignore-write-error flag ignored\n');
    if (flags.r) this.nlog('Extraneous raw-mode flag ignored\n');
    if (!matched) {
      skiprc += 2;
      return { skiprc, prevcond, lastcond, lastsucc };
    }
    this.ifstack.push(prevcond, lastcond);
    this.traceAction('block', '{', true, !!flags.c);
    if (locknext) {
      await this.localLock(tolock, '');
      if (!this.pwait) this.pwait = 2;
    }
    let succeed = true;
    if (flags.c) {
      // procmail forks a clone that runs the block (and whatever follows it) while the
      // parent skips the block. We run the clone to completion first, on a copy of the state.
      this.yell('Forking', 'procmail');
      const ok = await this.runClone();
      if (this.pwait && !ok) succeed = false;
      skiprc += 2;
      this.ifstack.length -= 2;
    }
    this.rawnonl = false;
    return { skiprc, prevcond, lastcond, lastsucc: succeed };
  }

  /** Run a `c`-flagged block's clone: a copy of this engine continuing from here. */
  private async runClone(): Promise<boolean> {
    const clone = Object.create(Engine.prototype) as Engine;
    Object.assign(clone, this);
    clone.env = this.env.clone();
    clone.reader = this.reader.clone();
    clone.ifstack = this.ifstack.slice();
    clone.frameIfdepth = this.frameIfdepth.slice();
    clone.mail = this.mail.clone();
    clone.loclock = undefined;
    clone.deferred = [];
    clone.globlock = undefined;
    clone.posArgs = this.posArgs.slice();
    clone.retval = this.init.tempfail ? EX_TEMPFAIL : EX_CANTCREAT;
    const cwd = this.fx.cwd();
    let code: number;
    try {
      code = await clone.continueAsClone();
    } finally {
      this.fx.chdir(cwd);
    }
    return code === EX_OK;
  }

  private async continueAsClone(): Promise<number> {
    let delivered = false;
    const status = await this.mainloop(false);
    if (status === 'delivered' || status === 'host') delivered = true;
    if (!delivered) delivered = await this.deliverDefault();
    if (delivered) this.retval = EX_OK;
    this.unlockLocal();
    const code = await this.terminate();
    return code;
  }

  // ------------------------------------------------------------------ actions
  /** Pipe, forward or filter. Returns success. */
  private async programAction(
    cmd: Command,
    part: MailParts,
    flags: Flags,
    locknext: boolean,
    tolock: string | undefined,
    headOnly: boolean,
    whole: boolean,
    purpose: 'pipe' | 'forward' = 'pipe',
  ): Promise<boolean> {
    if (locknext) {
      let implicit = '';
      if (tolock === undefined) {
        // the implicit lockfile: the first `>>` target (procmail looks only at the program name
        // when it split the words itself, since its buffer ends at the first NUL there)
        const hay = cmd.shell ? cmd.display : cmd.errName;
        const at = hay.indexOf('>>');
        if (at >= 0) {
          const target = hay.slice(at + 2).replace(/^[ \t]+/, '');
          implicit = target.slice(0, spanNot(target, IMPLICIT_LOCK_END));
          if (cmd.shell && implicit) {
            const p = await this.parse(new StringSource(implicit), 'words', false);
            implicit = p.overflow ? '' : (splitWords(p.text)[0] ?? '');
          }
        }
        if (!implicit) this.nlogq("Couldn't determine implicit lockfile from", cmd.errName);
      }
      await this.localLock(tolock, implicit);
      if (!this.pwait) this.pwait = 2;
    }
    this.rawnonl = !!flags.r;
    if (flags.c && flags.f) this.nlog('Extraneous copy-flag ignored\n');
    if (flags.f) return this.filterAction(cmd, part, headOnly, whole);
    const feed = pipeFeed([part.head, part.body], this.rawnonl);
    const wait = this.pwait !== 0;
    this.lastdump = feed.bytes;
    if (!wait && !flags.c && feed.bytes <= PIPE_CAPACITY) {
      // A delivering pipe procmail does not wait for: procmail forks it and exits, and the
      // program's first words reach the log after procmail's abstract. We start it right after
      // writing the abstract (terminate()), which keeps that order. No write error can happen
      // for input a pipe absorbs at once, so nothing is decided differently.
      this.deferred.push({ cmd, data: feed.data, env: this.env.toRecord(), purpose });
      this.setLastFolder(cmd.display);
      return true;
    }
    const res = await this.runProgram(cmd, feed.data, { wait, capture: false, purpose });
    let ok = true;
    if (res.writeError && !this.ignwerr) {
      this.nlogq('Error while writing to', cmd.errName);
      ok = false;
    }
    if (wait && res.status !== 0) {
      if (!(this.pwait & 2) || this.verbose) this.progerr(cmd.errName, res.status, !!(this.pwait & 2));
      ok = false;
    }
    this.setLastFolder(cmd.display);
    return ok;
  }

  private async filterAction(
    cmd: Command,
    part: MailParts,
    headOnly: boolean,
    whole: boolean,
  ): Promise<boolean> {
    const feed = pipeFeed([part.head, part.body], this.rawnonl);
    const res = await this.runProgram(cmd, feed.data, { wait: true, capture: true, purpose: 'filter' });
    let failed = false;
    if (res.timedOut) {
      failed = true; // "Timeout, terminating" was logged; no "Program failure"
    } else if (res.writeError && !this.ignwerr) {
      this.nlogq('Error while writing to', cmd.errName);
      failed = true;
    } else if (this.pwait && res.status !== 0) {
      if (this.pwait & 2) {
        if (this.verbose) this.progerr(cmd.errName, res.status, true);
      } else this.progerr(cmd.errName, res.status, false);
      failed = true;
    }
    if (failed) {
      if (this.verbose || !(this.pwait & 2)) this.nlog('Rescue of unfiltered data succeeded\n');
      return false;
    }
    this.mail.replace(headOnly ? 'head' : whole ? 'whole' : 'body', res.stdout);
    return true;
  }

  private async captureAction(
    name: string,
    cmd: Command,
    part: MailParts,
    flags: Flags,
  ): Promise<boolean> {
    this.rawnonl = !!flags.r;
    const feed = pipeFeed([part.head, part.body], this.rawnonl);
    const res = await this.runProgram(cmd, feed.data, { wait: true, capture: true, purpose: 'capture' });
    let out = res.stdout.toString('latin1');
    const failed = this.pwait !== 0 && res.status !== 0;
    if (failed) {
      if (!(this.pwait & 2) || this.verbose) this.progerr(cmd.errName, res.status, !!(this.pwait & 2));
    }
    if (!failed && out.endsWith('\n')) out = out.slice(0, -1);
    this.putenv(name, out);
    await this.asenv(name, out);
    return !failed;
  }

  /** writefolder(): mail into one or more folders; `dolock` locks an mbox with $LOCKEXT. */
  private async writeFolder(
    folders: string[],
    part: MailParts,
    raw: boolean,
    dolock: boolean,
    locknext = false,
    tolock?: string,
  ): Promise<boolean> {
    const first = folders[0] ?? '';
    if (first === '|' && folders.length === 1) {
      this.setLastFolder('|');
      const feed = pipeFeed([part.head, part.body], raw || this.rawnonl);
      this.lastdump = feed.bytes;
      await this.fx.writeStdout(feed.data);
      return true;
    }
    if (locknext) await this.localLock(tolock, first);
    const res = await this.fx.deliver({
      folders,
      mail: part,
      raw: raw || this.rawnonl,
      contentLength: this.mail.contentLength,
      quoteFromBody: this.mail.quoteFromBody,
      umask: this.umask,
      msgPrefix: this.env.text('MSGPREFIX'),
      verbose: !!this.verbose,
      log: this.logFn,
      setLastFolder: (n: string) => this.setLastFolder(n),
      dotlock: dolock
        ? { ext: this.env.text('LOCKEXT'), globalLock: this.globlock, ...this.lockRequest('') }
        : undefined,
    });
    if (res.ok) {
      this.lastdump = res.bytes;
      // procmail appends the names of the secondary folders without an "Assigning" line
      if (res.lastFolder) this.env.set('LASTFOLDER', res.lastFolder);
    }
    return res.ok;
  }

  // ------------------------------------------------------------------ conditions
  /** Returns 1 (all conditions met), 0 (not met), 2 (missing action: start over). */
  private async conditions(
    flags: Flags, prevcond: boolean, lastsucc: boolean, lastcond: boolean,
    skipping: boolean, nrcondIn: number,
  ): Promise<number> {
    const r = this.reader;
    let nrcond = nrcondIn;
    let score = 0;
    let scored = false;
    if (nrcond < 0) nrcond = !flags.A && !flags.a && !flags.E && !flags.e ? 1 : 0;
    let i = skipping ? 0 : 1;
    if (flags.e) {
      i = i && prevcond && !lastsucc ? 1 : 0;
      if (flags.E) {
        this.nlog('Conflicting else-if-flag suppressed\n');
        flags.E = false;
      }
      if (flags.a) {
        this.nlog('Conflicting also-if-succeeded-flag suppressed\n');
        flags.a = false;
      }
    }
    if (flags.E) i = i && !prevcond ? 1 : 0;
    if (flags.a) i = i && lastcond && lastsucc ? 1 : 0;
    if (flags.A) i = i && lastcond ? 1 : 0;
    let skippedEmpty = false;
    for (;;) {
      r.skipSpace();
      nrcond--;
      if (!r.test('*')) {
        if (nrcond < 0) {
          if (r.test('#')) { r.skipLine(); continue; }
          if (r.test(NL)) { skippedEmpty = true; continue; }
          if (skippedEmpty && r.test(':')) {
            this.nlog('Missing action\n');
            return 2;
          }
          break;
        }
      }
      r.skipSpace();
      // an old-style `:N` with a huge N would read empty "conditions" past the end forever
      if (r.atEof()) break;
      let line = r.getLogicalLine();
      if (line.length > this.linebufSize) {
        this.nlog('Exceeded LINEBUF\n');
        this.setOverflow();
        i = 0;
      }
      if (!i) continue;
      line = line.replace(/[ \t]+$/, '');
      const res = await this.condition(line, flags, score);
      score = res.score;
      if (res.scored) scored = true;
      if (!res.ok) i = 0;
    }
    let last = Math.trunc(score);
    if (!last && score > 0) last = 1;
    this.lastScoreValue = last;
    if (scored && i && score <= 0) i = 0;
    return i;
  }

  private async condition(
    lineIn: string, flags: Flags, scoreIn: number,
  ): Promise<{ ok: boolean; score: number; scored: boolean }> {
    let text = lineIn;
    let score = scoreIn;
    const lscore = score;
    let negate = false;
    let scoreany = false;
    let weight = 0;
    let xponent = 0;
    let ok = true;
    // the search area: the header by default, or what H/B/HB flags or `VAR ??` choose
    let area: 'H' | 'B' | 'HB' | { value: string } = flags.B ? (flags.H ? 'HB' : 'B') : 'H';
    let sizecheck = this.mail.size();
    let shown = text;
    let first = true;
    for (;;) {
      const c = text[0] ?? '';
      if (first && /[0-9+\-.,]/.test(c)) {
        const m = /^([+-]?(?:\d+[.,]?\d*|[.,]\d+))[ \t]*\^[ \t]*([+-]?(?:\d+[.,]?\d*|[.,]\d+))/.exec(text);
        if (m) {
          first = false;
          if (score >= MAX32) return { ok, score, scored: true };
          weight = parseFloat(m[1]!.replace(',', '.'));
          xponent = parseFloat(m[2]!.replace(',', '.'));
          scoreany = true;
          text = text.slice(m[0].length).replace(/^[ \t]+/, '');
          continue;
        }
      }
      first = false;
      if (c === '!') {
        negate = !negate;
        text = text.slice(1).replace(/^[ \t]+/, '');
        continue;
      }
      if (c === '$') {
        const parsed = await this.parse(new StringSource('"' + squeeze(text.slice(1))), 'keep', false);
        if (parsed.overflow) return { ok: false, score, scored: scoreany };
        text = stripNul(parsed.text).replace(/^[ \t]+/, '');
        continue;
      }
      const vm = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*\?\?[ \t]*/.exec(text);
      if (vm) {
        const v = vm[1]!;
        if (v === 'H') area = 'H';
        else if (v === 'B') area = 'B';
        else if (v === 'HB' || v === 'BH') area = 'HB';
        else area = { value: this.env.text(v) };
        sizecheck = typeof area === 'object' ? Buffer.byteLength(area.value, 'latin1') : this.mail.areaSize(area);
        text = text.slice(vm[0].length);
        continue;
      }
      if (c === '?') {
        const cmd = await this.commandArgv(text.slice(1));
        shown = text.slice(1);
        this.pwait = 2;
        this.ignwerr = true;
        const feed = typeof area === 'object'
          ? pipeFeed([Buffer.from(area.value, 'latin1')], this.rawnonl)
          : { data: this.mail.conditionInput(area), bytes: 0 };
        const res = await this.runProgram(cmd, feed.data, { wait: true, capture: false, purpose: 'condition' });
        const code = res.status;
        shown = cmd.shell ? cmd.display : text.slice(1);
        if (scoreany && code >= 0) {
          if (negate) {
            let j = code;
            while (--j >= 0 && (score += weight) < MAX32 && score > MIN32) weight *= xponent;
          } else score += code ? xponent : weight;
        } else if ((code !== 0) !== negate) ok = false;
        break;
      }
      if (c === '<' || c === '>') {
        const parsed = await this.parse(new StringSource(text), 'keep', false);
        if (parsed.overflow) return { ok: false, score, scored: scoreany };
        const t = stripNul(parsed.text);
        const m = /^.[ \t]*([+-]?\d*)/.exec(t)!;
        const pivot = parseInt(m[1] || '0', 10) || 0;
        const leftover = t.slice(m[0].length).replace(/^[ \t]+/, '');
        if (leftover) this.nlogq('Skipped', leftover);
        shown = t;
        if (scoreany) {
          let f: number;
          if ((t[0] === '<') !== negate) {
            if (sizecheck) f = pivot / sizecheck;
            else {
              score = pivot > 0 ? MAX32 : MIN32;
              if (score === MIN32) ok = false;
              return this.scoreDone(score, lscore, negate, shown, ok, true);
            }
          } else if (pivot) f = sizecheck / pivot;
          else {
            score = MAX32;
            return this.scoreDone(score, lscore, negate, shown, ok, true);
          }
          score += weight * Math.pow(f, xponent);
        } else if (!((t[0] === '<' ? sizecheck < pivot : sizecheck > pivot) !== negate)) ok = false;
        break;
      }
      // a regular expression (a leading backslash only protects the first character)
      let re = c === '\\' ? text.slice(1) : text;
      re = squeeze(re);
      shown = c === '\\' ? '\\' + re : re;
      const areaText = typeof area === 'object' ? area.value : this.mail.areaText(area);
      const caseSensitive = !!flags.D;
      const quotedStart = c === '\\';
      const loading = regexLoading();
      if (loading) await loading;
      if (scoreany) {
        if (negate) {
          const m = matchCondition(re, caseSensitive, areaText, this.logFn, quotedStart);
          if (weight && !m.matched) score += weight;
          this.applyMatch(m.match);
        } else {
          const s = scoreRegex(re, caseSensitive, areaText, weight, xponent, score, this.logFn, quotedStart);
          score = s.score;
          this.applyMatch(s.match);
        }
      } else {
        const m = matchCondition(re, caseSensitive, areaText, this.logFn, quotedStart);
        this.applyMatch(m.match);
        ok = m.matched !== negate;
      }
      break;
    }
    return this.scoreDone(score, lscore, negate, shown, ok, scoreany);
  }

  private traceAction(kind: 'folder' | 'pipe' | 'forward' | 'filter' | 'capture' | 'block' | 'default', target: string, ok: boolean, copy: boolean): void {
    this.init.trace?.action?.({ kind, target, ok, copy });
  }

  private scoreDone(scoreIn: number, lscore: number, negate: boolean, shown: string, okIn: boolean, scoreany: boolean) {
    let score = scoreIn;
    let ok = okIn;
    if (score > MAX32) score = MAX32;
    if (score <= MIN32) {
      score = MIN32;
      ok = false;
    }
    this.init.trace?.condition?.({ text: shown, matched: ok, score: scoreany ? score : undefined, match: this.env.get('MATCH') });
    if (this.verbose) {
      if (scoreany) {
        const iscore = Math.trunc(score);
        let tot = ltstr(7, iscore);
        if (!iscore && score > 0) tot = tot.slice(0, 5) + '+0';
        this.nlog(`Score: ${ltstr(7, score - lscore)} ${tot}${negate ? ' !' : ''} "${shown}"\n`);
      } else {
        this.nlog(`${ok ? 'M' : 'No m'}atch on${negate ? ' !' : ''} "${shown}"\n`);
      }
    }
    return { ok, score, scored: scoreany };
  }

  private applyMatch(match: string | undefined): void {
    if (match === undefined) return;
    this.yell('Assigning', 'MATCH=');
    this.env.set('MATCH', match);
    this.yell('Matched', match);
  }
}

/**
 * A program to run. procmail names it differently in different places: errors show the
 * buffer up to its first NUL (the program name when procmail split the words itself), while
 * LASTFOLDER and the log abstract show the words joined by blanks.
 */
interface Command {
  argv: string[];
  shell: boolean;
  /** LASTFOLDER / abstract text. */
  display: string;
  /** Name in "Program failure ... of" and "Error while writing to". */
  errName: string;
}

function shellCommand(argv: string[], line: string): Command {
  return { argv, shell: true, display: line, errName: line };
}

export function directCommand(words: string[]): Command {
  return { argv: words, shell: false, display: words.join(' '), errName: words[0] ?? '' };
}

/** Characters that end an implicit lockfile name after `>>` (procmail's EOFName). */
const IMPLICIT_LOCK_END = ' \t\n#`\'");';

function spanNot(s: string, stop: string): number {
  let k = 0;
  while (k < s.length && !stop.includes(s[k]!)) k++;
  return k;
}

/** procmail's dump() to a program: the data, plus a newline unless it ends with an empty line. */
function pipeFeed(parts: Buffer[], raw: boolean): { data: Buffer[]; bytes: number } {
  const d = dumpData(parts, raw);
  return { data: d.chunks, bytes: d.reported };
}

function stripNul(s: string): string {
  return s.endsWith('\0') ? s.slice(0, -1).replace(/\0/g, ' ') : s.replace(/\0/g, ' ');
}

export type { MailParts };
