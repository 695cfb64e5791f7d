// Reading rcfiles with procmail's security checks (procmail.c tryopen()). An rcfile named on
// the command line or found in $HOME is refused ("Suspicious rcfile") unless
//  - it is owned by the recipient or root, and not writable by others, and
//  - its directory is not world writable (write + search for others) unless sticky;
// for the default $HOME/.procmailrc group write is refused too, except for the user's own
// primary group (Debian builds with GROUP_PER_USER: case 132), for the file and its directory.
import * as fs from 'node:fs';
import type { RcOpen } from '../engine/effects.ts';
import { dirOf } from './fsio.ts';
import { fsPath } from './oschars.ts';

const S_IWGRP = 0o020;
const S_IXGRP = 0o010;
const S_IWOTH = 0o002;
const S_IXOTH = 0o001;
const S_ISVTX = 0o1000;
const ROOT_UID = 0;
const DEV_NULL = '/dev/null';

export interface Identity {
  uid: number;
  gid: number;
}

export function currentIdentity(): Identity {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

/** Why an opened rcfile is not trusted, or null when it is fine. */
export function rcSecurityProblem(path: string, file: fs.Stats, checkDefault: boolean, who: Identity): string | null {
  const groupWritableByOthers = (st: fs.Stats, bits: number) => (st.mode & bits) === bits && st.gid !== who.gid;
  if (path !== DEV_NULL) {
    if (file.uid !== who.uid && file.uid !== ROOT_UID) return 'owner';
    if (file.mode & S_IWOTH) return 'world-writable';
    if (checkDefault && groupWritableByOthers(file, S_IWGRP)) return 'group-writable';
  }
  let dir: fs.Stats;
  try {
    dir = fs.statSync(fsPath(dirOf(path)));
  } catch {
    return 'directory';
  }
  if (dir.mode & S_ISVTX) return null; // sticky: nobody can replace our file
  if ((dir.mode & (S_IWOTH | S_IXOTH)) === (S_IWOTH | S_IXOTH)) return 'directory world-writable';
  if (checkDefault && groupWritableByOthers(dir, S_IWGRP | S_IXGRP)) return 'directory group-writable';
  return null;
}

/** readRc(): open, check (unless 'none'), read. */
export function readRcFile(path: string, check: 'none' | 'explicit' | 'default', who: Identity = currentIdentity()): RcOpen {
  return openRc(path, check, who, null);
}

/** An rcfile as last read: its text and what identified the file then. */
interface CachedRc {
  stamp: string;
  text: Buffer;
}

// A process that delivers many messages (formail -s procmail) reads the same rcfile for every
// one: its text is kept while the file stays the same (same inode, size, times, owner, mode).
const rcCache = new Map<string, CachedRc>();
const RC_CACHE_LIMIT = 16;

function fileStamp(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.mode}:${st.uid}:${st.gid}`;
}

/**
 * readRcFile() for a process that reads the same rcfiles again and again: an unchanged file
 * is not read again, but the security checks are made every time, as on the first read.
 */
export function readRcFileCached(path: string, check: 'none' | 'explicit' | 'default', who: Identity = currentIdentity()): RcOpen {
  const key = `${who.uid}:${who.gid}:${path}`;
  const cached = rcCache.get(key);
  if (cached) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(fsPath(path), { throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    if (st && fileStamp(st) === cached.stamp) {
      if (check !== 'none' && rcSecurityProblem(path, st, check === 'default', who) !== null) return { ok: false, reason: 'suspicious' };
      return { ok: true, text: Buffer.from(cached.text) };
    }
    rcCache.delete(key);
  }
  return openRc(path, check, who, (stamp, text) => {
    if (rcCache.size >= RC_CACHE_LIMIT) rcCache.delete(rcCache.keys().next().value!);
    rcCache.set(key, { stamp, text: Buffer.from(text) });
  });
}

function openRc(
  path: string,
  check: 'none' | 'explicit' | 'default',
  who: Identity,
  remember: ((stamp: string, text: Buffer) => void) | null,
): RcOpen {
  let fd: number;
  try {
    fd = fs.openSync(fsPath(path), 'r');
  } catch {
    return { ok: false, reason: 'missing' };
  }
  try {
    let st: fs.Stats | undefined;
    if (check !== 'none' || remember) {
      try {
        st = fs.fstatSync(fd);
      } catch {
        if (check !== 'none') return { ok: false, reason: 'suspicious' };
      }
    }
    if (check !== 'none' && rcSecurityProblem(path, st!, check === 'default', who) !== null) return { ok: false, reason: 'suspicious' };
    const text = readAll(fd);
    // only a regular file's text is kept (a directory or device reads differently each time)
    if (remember && st?.isFile() && st.size === text.length) remember(fileStamp(st), text);
    return { ok: true, text };
  } finally {
    fs.closeSync(fd);
  }
}

/** The whole file; a directory (or any unreadable descriptor) reads as empty, as procmail's getb() sees EOF. */
function readAll(fd: number): Buffer {
  try {
    return fs.readFileSync(fd);
  } catch {
    return Buffer.alloc(0);
  }
}
