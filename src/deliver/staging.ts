// Creating a file under a fresh unique name (procmail's unique()): O_EXCL, a new name on
// EEXIST, at most 8 tries.
import * as fs from 'node:fs';
import { classify, DeliveryFailure, errnoOf } from './errors.ts';
import { closeQuietly, syncDirectory, syncFile, writeChunks } from './fsio.ts';
import { quoted, yell, type WriteContext } from './context.ts';
import { fsPath } from './oschars.ts';

const RETRY_UNIQUE = 8;

export interface Created {
  fd: number;
  /** The unique file name alone. */
  name: string;
  /** dir + "/" + name */
  path: string;
}

export class CreateFailed extends Error {
  constructor(readonly code: string, readonly path: string) {
    super(`cannot create ${path} (${code})`);
  }
}

/**
 * Creates `dir/<unique>` with `mode` (before the umask). On failure procmail reports the
 * name it tried only in VERBOSE mode ("Error while writing to"), then throws CreateFailed.
 */
export function createUnique(ctx: WriteContext, dir: string, style: 'maildir' | 'temporary', mode: number): Created {
  let lastCode = 'EEXIST';
  let path = '';
  for (let attempt = 0; attempt < RETRY_UNIQUE; attempt++) {
    const name = style === 'maildir' ? ctx.names.maildir() : ctx.names.temporary();
    path = `${dir}/${name}`;
    try {
      const fd = fs.openSync(fsPath(path), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
      return { fd, name, path };
    } catch (err) {
      lastCode = errnoOf(err);
      if (lastCode !== 'EEXIST') break;
    }
  }
  if (ctx.verbose) ctx.log(quoted('Error while writing to', path));
  throw new CreateFailed(lastCode, path);
}

/**
 * A further name for a message already delivered (the second and later folders of one
 * action): "Linking to" under VERBOSE, the hard link, then the sync of the directory that got
 * the entry. null, after procmail's "Couldn't make link to", when the link fails.
 */
export function linkAs(ctx: WriteContext, original: string, target: string, dirOfEntry: string): string | null {
  yell(ctx, 'Linking to', target);
  try {
    fs.linkSync(fsPath(original), fsPath(target));
  } catch {
    ctx.log(quoted("Couldn't make link to", target));
    return null;
  }
  syncDirectory(dirOfEntry);
  return target;
}

/** unlink(2) that ignores errors (cleanup paths). */
export function removeQuietly(path: string): void {
  try {
    fs.unlinkSync(fsPath(path));
  } catch {
    // already gone, or not ours to remove
  }
}

/**
 * Fills a staging file created by createUnique: write, fsync, close. On failure the file is
 * removed and procmail's message for MH and directory folders is logged: it always reads
 * "Error while writing to" the staging name, whatever the errno (procmail's cleanup unlink
 * overwrites errno before the message is chosen).
 */
export function fillStaged(ctx: WriteContext, created: Created, chunks: Buffer[]): void {
  try {
    writeChunks(ctx.io, created.fd, chunks);
    syncFile(ctx.io, created.fd);
    fs.closeSync(created.fd);
  } catch (err) {
    closeQuietly(created.fd);
    removeQuietly(created.path);
    ctx.log(quoted('Error while writing to', created.path));
    throw new DeliveryFailure(classify(errnoOf(err)), errnoOf(err));
  }
}
