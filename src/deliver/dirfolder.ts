// Plain directory folders (an existing directory): the file is named $MSGPREFIX followed by
// its own inode number in procmail's base-64 digits (msg.aJSI). Written and fsync'd under a
// staging name first, then linked to its final name.
import * as fs from 'node:fs';
import { classify, DeliveryFailure, errnoOf } from './errors.ts';
import { syncDirectory } from './fsio.ts';
import { ultoan } from './names.ts';
import { createUnique, CreateFailed, fillStaged, linkAs, removeQuietly } from './staging.ts';
import { quoted, yell, type WriteContext } from './context.ts';
import { NORM_PERM } from './mbox.ts';
import type { Content } from './format.ts';
import { fsPath } from './oschars.ts';

/**
 * The name procmail would print in "Couldn't create or rename temp file": it shows the
 * folder name, a slash and whatever its buffer held after that (uninitialised leftovers);
 * we print the folder name and the slash.
 */
function failureName(dir: string): string {
  return `${dir}/`;
}

/** Delivers into the directory folder `dir`; returns the message's path. */
export function writeDirFolder(ctx: WriteContext, dir: string, msgPrefix: string, content: Content): string {
  let created;
  try {
    created = createUnique(ctx, dir, 'temporary', NORM_PERM);
  } catch (err) {
    ctx.log(quoted("Couldn't create or rename temp file", failureName(dir)));
    throw new DeliveryFailure(classify((err as CreateFailed).code), (err as CreateFailed).code);
  }
  const ino = fs.fstatSync(created.fd, { bigint: true }).ino;
  const target = `${dir}/${msgPrefix}${ultoan(ino)}`;
  ctx.setLastFolder(target);
  yell(ctx, 'Opening', target);
  if (ctx.verbose) ctx.log('procmail: Acquiring kernel-lock\n');
  fillStaged(ctx, created, content.chunks);
  try {
    fs.linkSync(fsPath(created.path), fsPath(target));
  } catch (err) {
    removeQuietly(created.path);
    ctx.log(quoted("Couldn't create or rename temp file", failureName(dir)));
    throw new DeliveryFailure(classify(errnoOf(err)), errnoOf(err));
  }
  removeQuietly(created.path);
  syncDirectory(dir);
  return target;
}

/** Links an already delivered message into the directory folder `dir`. */
export function linkIntoDirFolder(ctx: WriteContext, original: string, dir: string, msgPrefix: string): string | null {
  const ino = fs.statSync(fsPath(original), { bigint: true }).ino;
  return linkAs(ctx, original, `${dir}/${msgPrefix}${ultoan(ino)}`, dir);
}
