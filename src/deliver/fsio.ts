// The few raw file operations the writers need, behind one small object so that tests can
// make a write fail (ENOSPC, EIO) at a chosen byte without a full disk.
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fsPath, nativeString } from './oschars.ts';

export interface FileIO {
  /** write(2): returns the number of bytes written (may be short), throws on error. */
  write(fd: number, buf: Buffer, offset: number, length: number): number;
  fsync(fd: number): void;
}

export const realIO: FileIO = {
  write: (fd, buf, offset, length) => fs.writeSync(fd, buf, offset, length),
  fsync: (fd) => fs.fsyncSync(fd),
};

/** Writes every chunk completely (retrying short writes); throws the first error. */
export function writeChunks(io: FileIO, fd: number, chunks: Buffer[]): void {
  for (const chunk of chunks) {
    let off = 0;
    while (off < chunk.length) {
      const n = io.write(fd, chunk, off, chunk.length - off);
      if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
      off += n;
    }
  }
}

// When is mail on disk? Normally every delivery is fsync'd before it is reported (the LDA's
// exit status, an LMTP 250). A whole mailbox delivered in one process (`sluice formail -s
// procmail`) may instead commit as a group: nothing is reported per message and the input
// mailbox is untouched, so one syncfs of each filesystem written to, before the command says
// it succeeded, gives the same guarantee at a fraction of the cost (Dovecot's
// mail_fsync=optimized and doveadm import do the same).
let batch: Set<string> | null = null;

/** Start group commit: per-message fsyncs are skipped until commitBatch(). */
export function startBatch(): void {
  batch ??= new Set();
}

/** Flush every filesystem written to since startBatch(); false when that failed. */
export function commitBatch(): boolean {
  const dirs = batch;
  batch = null;
  if (!dirs || dirs.size === 0) return true;
  // syncfs(2) of each filesystem (coreutils `sync -f`): Node has no binding for it
  // by absolute path: the caller's PATH may be anything (procmail -p, PATH=/nowhere)
  const sync = ['/bin/sync', '/usr/bin/sync'].find((p) => fs.existsSync(p)) ?? 'sync';
  const r = spawnSync(sync, ['-f', ...dirs], { stdio: ['ignore', 'ignore', 'inherit'] });
  return r.status === 0;
}

/** Remember a directory for the group commit, by absolute path (MAILDIR changes per message). */
function noteBatch(dir: string): void {
  batch?.add(nativeString(resolve(process.cwd(), dir)));
}

/** fsync that, like procmail, ignores EINVAL (the descriptor is not a file, e.g. /dev/null). */
export function syncFile(io: FileIO, fd: number, path?: string): void {
  if (batch) {
    if (path !== undefined) noteBatch(dirOf(path) || '.');
    return;
  }
  try {
    io.fsync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  }
}

/** Makes a directory entry change (link, rename) durable. Best effort: some filesystems refuse. */
export function syncDirectory(dir: string): void {
  if (batch) {
    noteBatch(dir || '.');
    return;
  }
  let fd = -1;
  try {
    fd = fs.openSync(fsPath(dir), 'r');
    fs.fsyncSync(fd);
  } catch {
    // a directory fsync is not supported everywhere (EINVAL on some network filesystems)
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/** close(2) without throwing (used on error paths). */
export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // nothing left to do with a descriptor that will not close
  }
}

/** Directory part of a path as procmail's lastdirsep() cuts it ("" when there is no slash). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}
