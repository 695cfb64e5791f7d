// Maildir delivery: write tmp/<unique>, fsync, hard-link (or rename) it to new/<unique>,
// fsync new/. The message is visible only once it is complete and on disk.
import * as fs from 'node:fs';
import { classify, DeliveryFailure, errnoOf } from './errors.ts';
import { closeQuietly, syncDirectory, syncFile, writeChunks } from './fsio.ts';
import { createUnique, CreateFailed, linkAs, removeQuietly } from './staging.ts';
import { quoted, writeFailureText, type WriteContext } from './context.ts';
import { NORM_PERM } from './mbox.ts';
import type { Content } from './format.ts';
import { fsPath } from './oschars.ts';

// procmail's MAILDIRretries: new names tried when new/<name> is unexpectedly taken
const MAILDIR_RETRIES = 5;

/** Delivers into the Maildir `dir` (its new/, cur/, tmp/ exist); returns the path in new/. */
export function writeMaildir(ctx: WriteContext, dir: string, content: Content): string {
  for (let retries = MAILDIR_RETRIES; ; retries--) {
    let created;
    try {
      created = createUnique(ctx, `${dir}/tmp`, 'maildir', NORM_PERM);
    } catch (err) {
      const failed = err as CreateFailed;
      ctx.log(quoted("Couldn't create or rename temp file", failed.path));
      throw new DeliveryFailure(classify(failed.code), failed.code);
    }
    try {
      writeChunks(ctx.io, created.fd, content.chunks);
      syncFile(ctx.io, created.fd);
      fs.closeSync(created.fd);
    } catch (err) {
      closeQuietly(created.fd);
      removeQuietly(created.path);
      const code = errnoOf(err);
      ctx.log(writeFailureText(code, created.path));
      throw new DeliveryFailure(classify(code), code);
    }
    const target = `${dir}/new/${created.name}`;
    if (publish(created.path, target)) {
      syncDirectory(`${dir}/new`);
      ctx.setLastFolder(target);
      return target;
    }
    removeQuietly(created.path);
    if (retries === 0) {
      ctx.log(quoted("Couldn't create or rename temp file", created.path));
      throw new DeliveryFailure('temporary', 'EEXIST');
    }
  }
}

/**
 * Moves tmp/x to new/x without ever replacing an existing file: link() first (fails with
 * EEXIST if taken); rename() only where links are not supported and the target is free.
 */
function publish(from: string, to: string): boolean {
  try {
    fs.linkSync(fsPath(from), fsPath(to));
    removeQuietly(from);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
  }
  try {
    fs.lstatSync(fsPath(to));
    return false;
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') return false;
  }
  try {
    fs.renameSync(fsPath(from), fsPath(to));
    return true;
  } catch {
    return false;
  }
}

/**
 * Links an already delivered message into the Maildir `dir` under a fresh name. Like
 * procmail, the name is reserved by creating (and removing) tmp/<name>; when that fails the
 * folder is skipped silently (VERBOSE shows the create error).
 */
export function linkIntoMaildir(ctx: WriteContext, original: string, dir: string): string | null {
  let created;
  try {
    created = createUnique(ctx, `${dir}/tmp`, 'maildir', NORM_PERM);
  } catch {
    return null;
  }
  closeQuietly(created.fd);
  removeQuietly(created.path);
  return linkAs(ctx, original, `${dir}/new/${created.name}`, `${dir}/new`);
}
