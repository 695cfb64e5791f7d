// errno handling shared by the writers: reading the code off a Node error, and the one
// table that turns a failed delivery into the classes front doors understand.
import type { FolderResult } from '../engine/effects.ts';

export type FailureClass = NonNullable<FolderResult['failure']>;

/** The errno name of a thrown fs error ('' when it is not one). */
export function errnoOf(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return '';
}

/**
 * How a delivery failure is classified. procmail itself does not care (it tries the next
 * recipe, then DEFAULT, then ORGMAIL, and exits 73 or 75); the class only lets a front door
 * choose its own answer (an LMTP server: 452 for no-space, 550 for permanent, 451 otherwise).
 *
 * - no-space: the disk or the quota is full (ENOSPC, EDQUOT): retry later.
 * - not-found: a directory on the way does not exist (ENOENT, ENOTDIR).
 * - permanent: permissions or the kind of file forbid it (EACCES, EPERM, EROFS, EISDIR,
 *   ELOOP, ENAMETOOLONG, EEXIST after all retries); retrying will not help until someone
 *   changes the mailbox.
 * - temporary: everything else (EIO, EMFILE, ENFILE, EAGAIN, lock trouble...).
 */
export function classify(code: string): FailureClass {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'no-space';
    case 'ENOENT':
    case 'ENOTDIR':
      return 'not-found';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'EISDIR':
    case 'ELOOP':
    case 'ENAMETOOLONG':
    case 'EEXIST':
      return 'permanent';
    default:
      return 'temporary';
  }
}

/** Thrown by the writers after the diagnostic has been logged; carries the class. */
export class DeliveryFailure extends Error {
  constructor(readonly failure: FailureClass, readonly code: string) {
    super(`delivery failed (${code || 'unknown'})`);
  }
}
