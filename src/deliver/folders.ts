// Folder type detection (procmail's folderparse/foldertype) and the delivery of one action
// with one or more folders: the first gets the message, the others hard links to it.
import * as fs from 'node:fs';
import type { FolderDelivery, FolderResult } from '../engine/effects.ts';
import { DeliveryFailure } from './errors.ts';
import { isDirMode, makeMaildirSubdirs, markUpdated, tryMkdir } from './dirs.ts';
import { linkIntoDirFolder, writeDirFolder } from './dirfolder.ts';
import { maildirContent, mboxContent, plainFolderContent } from './format.ts';
import { linkIntoMaildir, writeMaildir } from './maildir.ts';
import { appendToMbox, NORM_PERM } from './mbox.ts';
import { linkIntoMh, writeMh } from './mh.ts';
import { quoted, type WriteContext } from './context.ts';
import { fsPath } from './oschars.ts';

export type Requested = 'file' | 'maildir' | 'mh';

/** What the name asks for: `x/` Maildir, `x/.` MH, anything else a file (or existing directory). */
export function parseFolderName(name: string): { kind: Requested; path: string } {
  if (name.length <= 1) return { kind: 'file', path: name };
  if (name.length === 2) {
    return name[1] === '/' ? { kind: 'maildir', path: name.slice(0, 1) } : { kind: 'file', path: name };
  }
  let end: number;
  let kind: Requested;
  if (name.endsWith('/.')) (kind = 'mh'), (end = name.length - 2);
  else if (name.endsWith('/')) (kind = 'maildir'), (end = name.length - 1);
  else return { kind: 'file', path: name };
  while (end - 1 > 0 && name[end - 1] === '/') end--; // extra slashes
  return { kind, path: name.slice(0, end) };
}

export type FolderType = 'file' | 'maildir' | 'mh' | 'dir';

export interface Resolved {
  type: FolderType;
  path: string;
  /** Mode of the file or directory (for a new file: the mode it will get). */
  mode: number;
  existed: boolean;
}

const S_IFREG = 0o100000;

/**
 * procmail's foldertype(): creates the directories a Maildir or MH name needs and decides
 * what the target really is. `secondary` (procmail's forcedir) is set for the second and
 * later names of one action: a plain name then means a directory folder, created if
 * missing. null when the name cannot be used (already reported).
 */
export function resolveFolder(ctx: WriteContext, name: string, secondary: boolean): Resolved | null {
  const { kind, path } = parseFolderName(name);
  const unusable = (what: string): null => {
    ctx.log(quoted('Unable to treat as directory', what));
    if (path) ctx.log(quoted('Skipped', path));
    return null;
  };
  if (kind === 'file' && !secondary) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(fsPath(path));
    } catch {
      return { type: 'file', path, mode: S_IFREG | (NORM_PERM & ~ctx.umask), existed: false };
    }
    if (!st.isDirectory()) return { type: 'file', path, mode: st.mode, existed: true };
    return { type: 'dir', path, mode: st.mode, existed: true };
  }
  const mode = tryMkdir(path, ctx.umask);
  if (!isDirMode(mode)) {
    if (secondary) return unusable(path);
    // a Maildir or MH name that cannot be a directory: procmail falls back to a file
    ctx.log(quoted('Unable to treat as directory', path));
    if (mode) return { type: 'file', path, mode, existed: true };
    return { type: 'file', path, mode: S_IFREG | (NORM_PERM & ~ctx.umask), existed: false };
  }
  if (kind === 'maildir') {
    const failed = makeMaildirSubdirs(path, ctx.umask);
    if (failed !== null) return unusable(failed);
    return { type: 'maildir', path, mode, existed: true };
  }
  return { type: kind === 'mh' ? 'mh' : 'dir', path, mode, existed: true };
}

const DEV_NULL = '/dev/null';

/** Carries out one folder action. */
export async function deliverToFolders(ctx: WriteContext, req: FolderDelivery): Promise<FolderResult> {
  const [first, ...rest] = req.folders;
  let lastFolder = '';
  const track: WriteContext = {
    ...ctx,
    setLastFolder: (name) => {
      lastFolder = name;
      ctx.setLastFolder(name);
    },
  };
  if (first === undefined) return { ok: false, lastFolder, bytes: 0, failure: 'permanent' };
  const target = resolveFolder(track, first, false);
  if (!target) return { ok: false, lastFolder, bytes: 0, failure: 'permanent' };
  try {
    if (target.type === 'file') {
      // names after a plain file are not linked; procmail only reports them
      if (rest.length > 0) ctx.log(quoted('Skipped', rest.join(' ')));
      return await deliverToFile(track, req, target);
    }
    const { path: written, bytes } = writeDirectoryType(track, req, target);
    markUpdated(target.type === 'maildir' ? `${target.path}/tmp` : target.path, target.mode, ctx.umask);
    const names = [written];
    for (const name of rest) {
      const linked = linkSecondary(track, written, name, req.msgPrefix);
      if (linked !== null) names.push(linked);
    }
    return { ok: true, lastFolder: names.join(' '), bytes };
  } catch (err) {
    if (err instanceof DeliveryFailure) return { ok: false, lastFolder, bytes: 0, failure: err.failure };
    throw err;
  }
}

async function deliverToFile(ctx: WriteContext, req: FolderDelivery, target: Resolved): Promise<FolderResult> {
  if (target.path === DEV_NULL) {
    // delivering, nothing written; the abstract shows the message length
    ctx.setLastFolder(target.path);
    if (ctx.verbose) ctx.log(quoted('Opening', target.path));
    return { ok: true, lastFolder: target.path, bytes: req.mail.head.length + req.mail.body.length };
  }
  if (target.existed) markUpdated(target.path, target.mode, ctx.umask);
  if (ctx.beforeMailboxWrite) await ctx.beforeMailboxWrite(target.path);
  // procmail quotes the whole body, or with Content-Length only past the length it claims
  const quoteFromBody = req.quoteFromBody ?? (req.contentLength ? Infinity : 0);
  const content = mboxContent(req.mail, req.raw, quoteFromBody);
  const bytes = await appendToMbox(ctx, target.path, content, { markNewMail: !req.raw });
  return { ok: true, lastFolder: target.path, bytes };
}

function writeDirectoryType(ctx: WriteContext, req: FolderDelivery, target: Resolved): { path: string; bytes: number } {
  switch (target.type) {
    case 'maildir': {
      const content = maildirContent(req.mail);
      return { path: writeMaildir(ctx, target.path, content), bytes: content.bytes };
    }
    case 'mh': {
      const content = plainFolderContent(req.mail, req.raw);
      return { path: writeMh(ctx, target.path, content), bytes: content.bytes };
    }
    default: {
      const content = plainFolderContent(req.mail, req.raw);
      return { path: writeDirFolder(ctx, target.path, req.msgPrefix, content), bytes: content.bytes };
    }
  }
}

function linkSecondary(ctx: WriteContext, original: string, name: string, msgPrefix: string): string | null {
  const target = resolveFolder(ctx, name, true);
  if (!target) return null;
  let linked: string | null;
  if (target.type === 'maildir') linked = linkIntoMaildir(ctx, original, target.path);
  else if (target.type === 'mh') linked = linkIntoMh(ctx, original, target.path);
  else linked = linkIntoDirFolder(ctx, original, target.path, msgPrefix);
  markUpdated(target.path, target.mode, ctx.umask);
  return linked;
}
