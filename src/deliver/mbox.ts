// Appending to an mbox file: O_APPEND, fcntl write lock, write, fsync; on a failed or short
// write the file is truncated back to its former size so no half message is left behind.
import * as fs from 'node:fs';
import { classify, DeliveryFailure, errnoOf } from './errors.ts';
import { withFileMutex } from './filemutex.ts';
import { closeQuietly, syncFile, writeChunks } from './fsio.ts';
import { lockFile, unlockFile } from './kernellock.ts';
import { quoted, writeFailureText, yell, type WriteContext } from './context.ts';
import type { Content } from './format.ts';
import { fsPath } from './oschars.ts';

/** procmail's NORMperm: 0666 plus o+x, which marks "new mail" when the umask lets it through. */
export const NORM_PERM = 0o667;

export interface MboxOptions {
  /**
   * Make sure the mailbox's atime ends up older than its mtime, so mail readers and shells
   * notice new mail. procmail sleeps a second after the first byte when they are equal; we
   * set the atime back a second after writing instead (not done for raw writes, like procmail).
   */
  markNewMail: boolean;
}

/** Appends `content` to the mailbox `path`; resolves to the bytes written, throws DeliveryFailure. */
export async function appendToMbox(ctx: WriteContext, path: string, content: Content, opts: MboxOptions): Promise<number> {
  ctx.setLastFolder(path);
  yell(ctx, 'Opening', path);
  let fd: number;
  try {
    fd = fs.openSync(fsPath(path), fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, NORM_PERM);
  } catch (err) {
    ctx.log(quoted('Error while writing to', path));
    throw new DeliveryFailure(classify(errnoOf(err)), errnoOf(err));
  }
  try {
    const st = fs.fstatSync(fd);
    return await withFileMutex(`${st.dev}:${st.ino}`, () => appendLocked(ctx, fd, path, content, opts));
  } finally {
    closeQuietly(fd);
  }
}

async function appendLocked(ctx: WriteContext, fd: number, path: string, content: Content, opts: MboxOptions): Promise<number> {
  if (ctx.verbose) ctx.log('procmail: Acquiring kernel-lock\n');
  const lock = await lockFile(fd, ctx.kernelLockTimeoutMs);
  if (lock === 'timeout') ctx.log(quoted('Timeout, was waiting for', path));
  if (lock === 'timeout' || lock === 'failed') ctx.log('procmail: Kernel-lock failed\n');
  // with O_APPEND every write goes to the end; the size now is where this message begins
  const oldSize = fs.fstatSync(fd).size;
  try {
    writeChunks(ctx.io, fd, content.chunks);
    syncFile(ctx.io, fd, path);
  } catch (err) {
    const code = errnoOf(err);
    ctx.log(writeFailureText(code, path));
    if (truncateBack(fd, oldSize) && (ctx.logOpen || ctx.verbose)) ctx.log('procmail: Truncated file to former size\n');
    await release(ctx, fd, lock === 'locked');
    throw new DeliveryFailure(classify(code), code);
  }
  if (opts.markNewMail && content.bytes > 0) markNewMail(fd);
  await release(ctx, fd, lock === 'locked');
  return content.bytes;
}

function truncateBack(fd: number, size: number): boolean {
  try {
    fs.ftruncateSync(fd, size);
    fs.fsyncSync(fd);
    return true;
  } catch {
    return false;
  }
}

async function release(ctx: WriteContext, fd: number, locked: boolean): Promise<void> {
  if (locked && !(await unlockFile(fd))) ctx.log('procmail: Kernel-unlock failed\n');
}

function markNewMail(fd: number): void {
  try {
    const st = fs.fstatSync(fd);
    if (Math.floor(st.atimeMs / 1000) >= Math.floor(st.mtimeMs / 1000)) {
      const mtime = st.mtimeMs / 1000;
      fs.futimesSync(fd, mtime - 1, mtime);
    }
  } catch {
    // cosmetic only: the mail is already safely written
  }
}
