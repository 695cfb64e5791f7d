// fcntl() write locks on open mailboxes, through the optional native module fs-ext.
//
// procmail takes a blocking F_SETLKW lock and relies on its TIMEOUT alarm to break out of a
// lock that is never released. fs-ext's blocking call would hang a libuv worker thread for
// good, so we poll with the non-blocking F_SETLK instead, backing off up to half a second,
// until the time limit. When fs-ext is not installed we skip the kernel lock altogether
// (dotlocks still protect against other procmail-style writers).
import { createRequire } from 'node:module';

interface FsExt {
  fcntl(fd: number, cmd: 'setlk' | 'setlkw' | 'getlk', arg: number, cb: (err: NodeJS.ErrnoException | null, r: number) => void): void;
  constants: { F_WRLCK: number; F_UNLCK: number };
}

let loaded: FsExt | null | undefined;

/** fs-ext, or null when it is not installed (or not built for this Node). */
export function fsExt(): FsExt | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('fs-ext') as FsExt;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

export type KernelLockOutcome = 'locked' | 'unavailable' | 'failed' | 'timeout';

function setlk(ext: FsExt, fd: number, type: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => ext.fcntl(fd, 'setlk', type, (err) => resolve(err)));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Write-locks the whole file. 'timeout' after `timeoutMs` of waiting for another holder,
 * 'failed' on any other error (procmail: "Kernel-lock failed", and it writes anyway).
 */
export async function lockFile(fd: number, timeoutMs: number, ext: FsExt | null = fsExt()): Promise<KernelLockOutcome> {
  if (!ext) return 'unavailable';
  const deadline = Date.now() + timeoutMs;
  let pause = 5;
  for (;;) {
    const err = await setlk(ext, fd, ext.constants.F_WRLCK);
    if (!err) return 'locked';
    if (err.code !== 'EAGAIN' && err.code !== 'EACCES' && err.code !== 'EINTR') return 'failed';
    if (Date.now() >= deadline) return 'timeout';
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
    pause = Math.min(pause * 2, 500);
  }
}

/** Releases the lock (closing the descriptor would too; procmail unlocks explicitly first). */
export async function unlockFile(fd: number, ext: FsExt | null = fsExt()): Promise<boolean> {
  if (!ext) return true;
  return (await setlk(ext, fd, ext.constants.F_UNLCK)) === null;
}
