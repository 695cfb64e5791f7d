// Directory creation as procmail's foldinfo.c does it (trymkdir, mkmaildir).
import * as fs from 'node:fs';
import { fsPath } from './oschars.ts';

/** procmail's NORMdirperm (before the umask). */
export const NORM_DIR_PERM = 0o777;
const S_IFDIR = 0o040000;

/**
 * The mode of `dir`, creating it (0777 & ~umask) when it does not exist. The mode of an
 * existing non-directory is returned as is (callers test it); 0 when it cannot be made.
 */
export function tryMkdir(dir: string, umask: number): number {
  for (let tries = 0; tries < 3; tries++) {
    try {
      return fs.statSync(fsPath(dir)).mode;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return 0;
    }
    try {
      fs.mkdirSync(fsPath(dir), NORM_DIR_PERM);
      return S_IFDIR | (NORM_DIR_PERM & ~umask);
    } catch {
      // lost a race with another creator, or cannot create: look again
    }
  }
  return 0;
}

export function isDirMode(mode: number): boolean {
  return (mode & 0o170000) === S_IFDIR;
}

/** Makes `dir/new`, `dir/cur`, `dir/tmp` (in that order); returns the first that failed, or null. */
export function makeMaildirSubdirs(dir: string, umask: number): string | null {
  for (const sub of ['new', 'cur', 'tmp']) {
    const path = `${dir}/${sub}`;
    if (!isDirMode(tryMkdir(path, umask))) return path;
  }
  return null;
}

/**
 * procmail's UPDATE_MASK rule: when the umask lets o+x through, a folder that got mail
 * is marked with o+x (mailboxes, and the directory of a directory-type folder).
 */
export function markUpdated(path: string, mode: number, umask: number): void {
  if (((mode | umask) & 0o001) !== 0) return;
  try {
    fs.chmodSync(fsPath(path), (mode & 0o7777) | 0o001);
  } catch {
    // procmail ignores this too: the mark is only a hint for biff-like tools
  }
}
