// The one narrow interface through which the engine touches the world.
//
// The engine decides everything (which recipe, which folder, what to log, which exit code);
// an Effects implementation only carries decisions out. The real host (src/deliver/host.ts)
// writes mail and runs programs; a dry-run host records what would happen; tests use a
// recording host. Nothing in src/engine may import node:fs or node:child_process.

/** The message as the engine currently holds it: header (From_ line included) and body. */
export interface MailParts {
  /** Header bytes including the From_ line (if any) and the terminating empty line's newline. */
  head: Buffer;
  /** Body bytes (everything after the empty line that ends the header). */
  body: Buffer;
}

/** Writes one procmail diagnostic line: the host prefixes nothing, the engine passes "procmail: ...\n". */
export type LogFn = (text: string) => void;

export interface FolderDelivery {
  /** Folder names after expansion, exactly as procmail sees them (relative to the current directory = MAILDIR). */
  folders: string[];
  /** What to write: header and/or body as selected by the h/b flags. */
  mail: MailParts;
  /** r flag: do not add the empty separator line to mbox/MH/directory files. */
  raw: boolean;
  /** Content-Length in effect (header present and not -Y): mbox gets no >From quoting. */
  contentLength: boolean;
  /**
   * With Content-Length: body offset from which mbox writing >-quotes "From " lines (the
   * field's value + 1; src/message mboxQuoteOffsets). Absent: quote all or none per contentLength.
   */
  quoteFromBody?: number;
  /** Octal umask in effect (UMASK variable; default 0o077). */
  umask: number;
  /** Prefix for directory-folder file names ($MSGPREFIX, default "msg."). */
  msgPrefix: string;
  /** VERBOSE in effect: the writer logs "Opening", "Acquiring kernel-lock" and the like. */
  verbose: boolean;
  /** Where the writer's diagnostics go (full lines, "procmail: " prefix included). */
  log: LogFn;
  /**
   * Called once the target name is known and before the file is opened: procmail assigns
   * LASTFOLDER at that moment (VERBOSE shows `Assigning "LASTFOLDER=..."` before `Opening`).
   */
  setLastFolder(name: string): void;
  /**
   * DEFAULT/ORGMAIL delivery (procmail's writefolder with dolock): when the folder turns out
   * to be a plain mbox file (not /dev/null), take the dotlock `<folder><ext>` around the write,
   * unless it is the global LOCKFILE already held. A lock that cannot be created because the
   * spool directory is not writable is skipped silently (procmail, setgid mail, can write there).
   */
  dotlock?: Omit<LockRequest, 'path'> & { ext: string; globalLock?: string };
}

export interface FolderResult {
  /** true when the mail is durably in the first folder (and linked into the others). */
  ok: boolean;
  /** The value LASTFOLDER takes and the log abstract shows ("dir/new/<unique>", "a b c" for several). */
  lastFolder: string;
  /** Bytes written to the first folder (the abstract's size column). */
  bytes: number;
  /** Classified failure, for front doors that map it onto their own language. */
  failure?: 'temporary' | 'permanent' | 'no-space' | 'not-found';
}

export interface ProgramRequest {
  /** argv[0] is the program (found through env.PATH); for shell commands the engine passes [SHELL, ...SHELLFLAGS words, command]. */
  argv: string[];
  /** Complete environment of the child (procmail exports every variable it holds). */
  env: Record<string, string>;
  /** What the program reads on stdin. */
  stdin: Buffer[];
  /**
   * true: wait for the exit status (w/W, filters, captures, conditions, backticks).
   * false: write stdin, then go on without waiting (procmail's delivering pipe without w).
   */
  wait: boolean;
  /** Collect the program's stdout (filters, captures, backticks). Otherwise stdout is discarded. */
  captureStdout: boolean;
  /** TIMEOUT in seconds: after that the program gets SIGTERM. */
  timeoutSeconds: number;
  /** Where "Timeout, terminating" goes. */
  log: LogFn;
  /** The command as procmail shows it in messages. */
  display?: string;
  /** Why the engine runs it (a dry-run host treats a condition differently from a delivery). */
  purpose?: 'condition' | 'filter' | 'capture' | 'backtick' | 'pipe' | 'forward' | 'trap';
  /** Send the program's stdout to the log destination too (procmail's TRAP: stdout joins stderr). */
  stdoutToLog?: boolean;
}

export interface ProgramResult {
  /** Exit status; -N when killed by signal N (procmail logs "Program failure (-15)"). */
  status: number;
  /** Collected stdout when captureStdout was set. */
  stdout: Buffer;
  /** Writing stdin failed (the program closed its input early): procmail's "Error while writing to". */
  writeError: boolean;
  timedOut: boolean;
}

export interface LockRequest {
  path: string;
  /** LOCKSLEEP seconds between tries. */
  sleepSeconds: number;
  /** LOCKTIMEOUT seconds: an older lockfile is stale and removed ("Forcing lock on"). 0 = never. */
  timeoutSeconds: number;
  /** SUSPEND seconds to pause after forcing a stale lock. */
  suspendSeconds: number;
  verbose: boolean;
  log: LogFn;
}

export type RcOpen =
  | { ok: true; text: Buffer }
  | { ok: false; reason: 'missing' | 'suspicious' };

export interface Effects {
  /** Appends text to the current log destination (LOGFILE when open, else stderr). */
  log(text: string): void;
  /** LOGFILE=path: open it for appending (created if missing). Returns false when it cannot be opened; logging then goes to stderr. undefined/'' closes it. */
  setLogfile(path: string | undefined): boolean;
  /** UMASK=: procmail calls umask() at once; files, lockfiles and programs created later inherit it. */
  setUmask?(mask: number): void;
  /** MAILDIR=dir: chdir. false when it fails (the engine then logs and sets MAILDIR to "."). */
  chdir(dir: string): boolean;
  /** Current working directory (absolute). */
  cwd(): string;
  /** Write mail into one or more folders. */
  deliver(req: FolderDelivery): Promise<FolderResult>;
  /** Run a program (pipe, filter, capture, condition, backtick, forward, TRAP). */
  run(req: ProgramRequest): Promise<ProgramResult>;
  /** Take a dotlock (link-based, NFS-safe). Resolves false on failure (already logged through req.log). */
  lock(req: LockRequest): Promise<boolean>;
  /** Remove a dotlock taken with lock(). */
  unlock(path: string, log: LogFn, verbose: boolean): void;
  /**
   * Read an rcfile. `checkSecurity`: procmail's owner/permission checks for rcfiles
   * named on the command line or found in $HOME ("Suspicious rcfile").
   */
  readRc(path: string, checkSecurity: 'none' | 'explicit' | 'default', home: string): RcOpen;
  /** Write to procmail's own stdout (lone `|` action, DEFAULT=|). */
  writeStdout(data: Buffer[]): Promise<void>;
  /** Wait for output to be flushed before the process exits. */
  flush(): Promise<void>;
  now(): Date;
  pid(): number;
  hostname(): string;
}
