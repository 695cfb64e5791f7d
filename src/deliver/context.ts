// What every folder writer needs to know about the delivery in progress.
import type { LogFn } from '../engine/effects.ts';
import type { FileIO } from './fsio.ts';
import type { UniqueNames } from './names.ts';

export interface WriteContext {
  io: FileIO;
  names: UniqueNames;
  log: LogFn;
  verbose: boolean;
  /** UMASK in effect (also applied to the process, so the kernel masks every create). */
  umask: number;
  /** LOGFILE is open: procmail then also reports "Truncated file to former size". */
  logOpen: boolean;
  /** How long to wait for another process's kernel lock before writing anyway. */
  kernelLockTimeoutMs: number;
  setLastFolder(name: string): void;
  /**
   * Called for a plain mailbox file (not /dev/null) after type detection and before
   * LASTFOLDER is assigned: where DEFAULT/ORGMAIL deliveries take their dotlock.
   */
  beforeMailboxWrite?: (path: string) => Promise<void>;
}

/** procmail's `procmail: <what> "<name>"` diagnostic line. */
export function quoted(what: string, name: string): string {
  return `procmail: ${what} "${name}"\n`;
}

/** A VERBOSE-only diagnostic (procmail's yell()). */
export function yell(ctx: WriteContext, what: string, name: string): void {
  if (ctx.verbose) ctx.log(quoted(what, name));
}

/** The write-failure diagnostic dump() callers print, chosen by errno. */
export function writeFailureText(code: string, name: string): string {
  switch (code) {
    case 'ENOSPC':
      return quoted('No space left to finish writing', name);
    case 'EDQUOT':
      return quoted('Quota exceeded while writing', name);
    default:
      return quoted('Error while writing to', name);
  }
}
