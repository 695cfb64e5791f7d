// MH folders (`dir/.`): the message becomes file number (highest all-digit name + 1).
//
// procmail links an empty staging file to that number first and then writes into it, so a
// failed write leaves a partial message behind. We write and fsync the staging file first
// and link it into place afterwards: a reader never sees half a message, and a failure
// leaves nothing. A concurrent writer that takes our number makes us move to the next one.
import * as fs from 'node:fs';
import { classify, DeliveryFailure, errnoOf } from './errors.ts';
import { syncDirectory } from './fsio.ts';
import { createUnique, CreateFailed, fillStaged, removeQuietly } from './staging.ts';
import { quoted, yell, type WriteContext } from './context.ts';
import { NORM_PERM } from './mbox.ts';
import type { Content } from './format.ts';
import { fsPath } from './oschars.ts';

/** strtol()-style all-digit names: optional blanks and sign, digits, nothing after. */
const MH_NUMBER = /^[\t\n\v\f\r ]*[+-]?\d+$/;

/** The highest message number in `dir` (0 for none); null when the directory cannot be read. */
export function highestMhNumber(dir: string): number | null {
  let names: string[];
  try {
    names = fs.readdirSync(fsPath(dir), { encoding: 'latin1' });
  } catch {
    return null;
  }
  let max = 0;
  for (const name of names) {
    if (!MH_NUMBER.test(name)) continue;
    const n = parseInt(name, 10);
    if (n > max) max = n;
  }
  return max;
}

/** First free number after the highest, for procmail's messages and links. */
function startNumber(ctx: WriteContext, dir: string): number {
  const max = highestMhNumber(dir);
  if (max === null) {
    ctx.log(quoted("Couldn't read", `${dir}/.`));
    return 1;
  }
  return max + 1;
}

/** Delivers into the MH folder `dir` (which exists); returns the message's path. */
export function writeMh(ctx: WriteContext, dir: string, content: Content): string {
  let created;
  try {
    created = createUnique(ctx, dir, 'temporary', NORM_PERM);
  } catch (err) {
    ctx.log(quoted("Couldn't create or rename temp file", `${dir}/.`));
    throw new DeliveryFailure(classify((err as CreateFailed).code), (err as CreateFailed).code);
  }
  let n = startNumber(ctx, dir);
  let target = `${dir}/${n}`;
  ctx.setLastFolder(target);
  yell(ctx, 'Opening', target);
  if (ctx.verbose) ctx.log('procmail: Acquiring kernel-lock\n');
  fillStaged(ctx, created, content.chunks);
  for (;;) {
    try {
      fs.linkSync(fsPath(created.path), fsPath(target));
      break;
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') {
        removeQuietly(created.path);
        ctx.log(quoted("Couldn't create or rename temp file", `${dir}/.`));
        throw new DeliveryFailure(classify(errnoOf(err)), errnoOf(err));
      }
      target = `${dir}/${++n}`;
      ctx.setLastFolder(target);
    }
  }
  removeQuietly(created.path);
  syncDirectory(dir);
  return target;
}

/** Links an already delivered message into the MH folder `dir` as its next number. */
export function linkIntoMh(ctx: WriteContext, original: string, dir: string): string | null {
  let n = startNumber(ctx, dir);
  let target = `${dir}/${n}`;
  let ok = false;
  for (;;) {
    try {
      fs.linkSync(fsPath(original), fsPath(target));
      ok = true;
      break;
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') break;
      target = `${dir}/${++n}`;
    }
  }
  yell(ctx, 'Linking to', target);
  if (!ok) {
    ctx.log(quoted("Couldn't make link to", target));
    return null;
  }
  syncDirectory(dir);
  return target;
}
