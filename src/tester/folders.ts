// Where a folder action would write, worked out without writing: the same decisions as
// src/deliver/folders.ts (procmail's foldertype: `x/` Maildir, `x/.` MH, an existing
// directory is a directory folder, anything else an mbox; the second and later names of an
// action get hard links), made against the VirtualTree instead of the disk. The byte counts
// come from the real writers' pure formatting functions, so the abstract sizes agree too.
import { posix } from 'node:path';
import type { FolderDelivery } from '../engine/effects.ts';
import { parseFolderName } from '../deliver/folders.ts';
import { maildirContent, mboxContent, plainFolderContent } from '../deliver/format.ts';
import type { UniqueNames } from '../deliver/names.ts';
import type { Delivery, FolderKind, LinkedFolder } from './model.ts';
import type { VirtualTree } from './vfs.ts';

const DEV_NULL = '/dev/null';
const SPOOL_DIR = '/var/mail';

/** What stands in for a directory folder's file name: the real one is the new file's inode. */
export const INODE_PLACEHOLDER = '<inode>';

export interface PredictContext {
  tree: VirtualTree;
  /** The virtual current directory (MAILDIR). */
  cwd: string;
  names: UniqueNames;
}

interface Target {
  kind: FolderKind;
  /** The name as procmail uses it (relative names stay relative). */
  name: string;
  abs: string;
}

const quoted = (what: string, name: string) => `procmail: ${what} "${name}"\n`;

export function absolute(cwd: string, p: string): string {
  return posix.resolve(cwd, p);
}

/** foldertype() for one name; null when the name cannot be used (reported). */
function resolveTarget(ctx: PredictContext, req: FolderDelivery, folder: string, secondary: boolean): Target | null {
  const { kind, path } = parseFolderName(folder);
  const abs = absolute(ctx.cwd, path);
  if (kind === 'file' && !secondary) {
    if (path === DEV_NULL) return { kind: 'devnull', name: path, abs: DEV_NULL };
    const st = ctx.tree.stat(abs);
    return { kind: st?.type === 'dir' ? 'dir' : 'mbox', name: path, abs };
  }
  const made = ctx.tree.mkdir(abs, req.umask);
  if (made === null || made.type !== 'dir') {
    req.log(quoted('Unable to treat as directory', path));
    if (secondary) {
      if (path) req.log(quoted('Skipped', path));
      return null;
    }
    return { kind: 'mbox', name: path, abs };
  }
  if (kind === 'maildir') {
    for (const sub of ['new', 'cur', 'tmp']) {
      const d = ctx.tree.mkdir(`${abs}/${sub}`, req.umask);
      if (d === null || d.type !== 'dir') {
        req.log(quoted('Unable to treat as directory', `${path}/${sub}`));
        if (secondary) req.log(quoted('Skipped', `${path}/${sub}`));
        return null;
      }
    }
    return { kind: 'maildir', name: path, abs };
  }
  return { kind: kind === 'mh' ? 'mh' : 'dir', name: path, abs };
}

/** The file name the message gets in a directory-type folder (and take it). */
function newFileName(ctx: PredictContext, t: Target, msgPrefix: string): string {
  switch (t.kind) {
    case 'maildir':
      return `${t.name}/new/${ctx.names.maildir()}`;
    case 'mh':
      return `${t.name}/${ctx.tree.takeMhNumber(t.abs)}`;
    default:
      return `${t.name}/${msgPrefix}${INODE_PLACEHOLDER}`;
  }
}

/** Could the real writer create its file in this folder? */
function folderWritable(ctx: PredictContext, t: Target): boolean {
  if (t.kind === 'maildir') return ctx.tree.writable(`${t.abs}/tmp`) && ctx.tree.writable(`${t.abs}/new`);
  return ctx.tree.writable(t.abs);
}

/** The absolute file of a name newFileName() made (it starts with the target's name and a slash). */
function fileOf(t: Target, name: string): string {
  return `${t.abs}/${name.slice(t.name.length + 1)}`;
}

function failed(first: Target | null, folder: string, reason: string): Delivery {
  return {
    kind: first?.kind ?? 'mbox', target: folder, path: first?.abs, ok: false, failure: reason, copy: false, fallback: false,
  };
}

/**
 * The prediction for one folder action. Calls req.setLastFolder like the real writers and
 * logs what they would log on failure. The returned Delivery has copy/fallback unset (the
 * caller knows those).
 */
export function predictFolders(ctx: PredictContext, req: FolderDelivery): Delivery {
  const [first, ...rest] = req.folders;
  if (first === undefined) return failed(null, '', 'no folder');
  const t = resolveTarget(ctx, req, first, false);
  if (!t) return failed(null, first, 'not usable as a directory');
  const mail = req.mail;
  if (t.kind === 'devnull') {
    req.setLastFolder(DEV_NULL);
    return { kind: 'devnull', target: first, path: DEV_NULL, ok: true, copy: false, fallback: false, bytes: mail.head.length + mail.body.length };
  }
  if (t.kind === 'mbox') {
    if (rest.length > 0) req.log(quoted('Skipped', rest.join(' ')));
    const locks: string[] = [];
    if (req.dotlock && t.name) {
      const name = t.name + req.dotlock.ext;
      const abs = absolute(ctx.cwd, name);
      // as the real host: the system spool is setgid procmail's privilege; without it no lock
      const bypassed = posix.dirname(abs) === SPOOL_DIR && !ctx.tree.canCreate(abs);
      if (!bypassed && (req.dotlock.globalLock === undefined || name !== req.dotlock.globalLock)) locks.push(name);
    }
    req.setLastFolder(t.name);
    const exists = ctx.tree.stat(t.abs);
    const ok = t.name !== '' && (exists ? ctx.tree.writable(t.abs) : ctx.tree.createFile(t.abs, req.umask) !== null);
    if (!ok) {
      req.log(quoted('Error while writing to', t.name));
      return { ...failed(t, first, exists ? 'mailbox not writable' : 'cannot create mailbox'), locks };
    }
    const quoteFromBody = req.quoteFromBody ?? (req.contentLength ? Infinity : 0);
    const bytes = mboxContent(mail, req.raw, quoteFromBody).bytes;
    return { kind: 'mbox', target: first, path: t.abs, file: t.abs, ok: true, copy: false, fallback: false, bytes, ...(locks.length ? { locks } : {}) };
  }
  if (!folderWritable(ctx, t)) {
    req.log(quoted("Couldn't create or rename temp file", t.kind === 'maildir' ? `${t.name}/tmp` : `${t.name}/`));
    return failed(t, first, 'folder not writable');
  }
  const bytes = t.kind === 'maildir' ? maildirContent(mail).bytes : plainFolderContent(mail, req.raw).bytes;
  const file = newFileName(ctx, t, req.msgPrefix);
  req.setLastFolder(file);
  const shown = [file];
  const links: LinkedFolder[] = [];
  for (const name of rest) {
    const l = resolveTarget(ctx, req, name, true);
    if (!l) continue;
    const linked = newFileName(ctx, l, req.msgPrefix);
    shown.push(linked);
    links.push({ kind: l.kind, target: name, path: l.abs, file: fileOf(l, linked) });
  }
  if (shown.length > 1) req.setLastFolder(shown.join(' '));
  return {
    kind: t.kind, target: first, path: t.abs, file: fileOf(t, file), ok: true, copy: false, fallback: false, bytes,
    ...(links.length ? { links } : {}),
  };
}
