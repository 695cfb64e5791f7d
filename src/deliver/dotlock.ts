// procmail's dotlocks (lockit/xcreat): a unique temporary file is created next to the lock,
// then link()ed to the lock name (atomic, also over NFS) and removed. Taking the time from
// the temporary file makes the stale-lock test immune to clock skew between NFS clients.
import * as fs from 'node:fs';
import type { LockRequest, LogFn } from '../engine/effects.ts';
import { errnoOf } from './errors.ts';
import { closeQuietly, dirOf } from './fsio.ts';
import type { UniqueNames } from './names.ts';
import { fsPath } from './oschars.ts';

/** procmail's LOCKperm: lockfiles are read-only semaphores. */
const LOCK_PERM = 0o444;
/** A lockfile larger than this is not a lockfile: never removed as stale. */
const MAX_LOCK_SIZE = 16;
/** Tries before transient errors (ENOENT, ENOSPC, EIO...) count as a failure (procmail's nfsTRY). */
const NFS_TRY = 8;
/** Tries to find a free temporary name. */
const RETRY_UNIQUE = 8;

export interface DotlockEnv {
  names: UniqueNames;
  sleep: (seconds: number) => Promise<void>;
  /**
   * The system mail spool ("/var/mail/"). procmail is setgid mail and can always lock there;
   * sluice usually cannot, and then skips the lock the way procmail does without the
   * privilege ("Bypassed locking" in VERBOSE mode, no error).
   */
  spoolDir: string;
}

function yell(req: { verbose: boolean; log: LogFn }, what: string, name: string): void {
  if (req.verbose) req.log(`procmail: ${what} "${name}"\n`);
}

type Attempt = { ok: true } | { ok: false; code: string; fsTime: number | null };

/** xcreat(): temporary file (mode 0444, content "0") in the lock's directory, linked to `path`. */
function attempt(path: string, env: DotlockEnv, req: LockRequest): Attempt {
  const dir = dirOf(path);
  let tmp = '';
  let fd = -1;
  let code = 'EEXIST';
  for (let k = 0; k < RETRY_UNIQUE && fd < 0; k++) {
    tmp = dir + env.names.temporary();
    try {
      fd = fs.openSync(fsPath(tmp), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, LOCK_PERM);
    } catch (err) {
      code = errnoOf(err);
      if (code !== 'EEXIST') break;
    }
  }
  if (fd < 0) {
    yell(req, 'Error while writing to', tmp);
    return { ok: false, code, fsTime: null };
  }
  let fsTime: number | null = null;
  try {
    fs.writeSync(fd, '0'); // "pid 0": works across networks
    fsTime = Math.floor(fs.fstatSync(fd).mtimeMs / 1000);
  } catch {
    // the lock is its existence; the content and the time are only hints
  } finally {
    closeQuietly(fd);
  }
  try {
    fs.linkSync(fsPath(tmp), fsPath(path));
    return { ok: true };
  } catch (err) {
    return { ok: false, code: errnoOf(err), fsTime };
  } finally {
    try {
      fs.unlinkSync(fsPath(tmp));
    } catch {
      // nothing to clean up
    }
  }
}

type Stale = 'no' | 'removed' | 'denied';

/** A lock older than LOCKTIMEOUT (by the filesystem's clock) and small enough is removed. */
function removeIfStale(path: string, req: LockRequest, fsTime: number | null): Stale {
  if (!req.timeoutSeconds || fsTime === null) return 'no';
  let st: fs.Stats;
  try {
    st = fs.lstatSync(fsPath(path));
  } catch {
    return 'no';
  }
  if (st.size > MAX_LOCK_SIZE || !(req.timeoutSeconds < fsTime - Math.floor(st.mtimeMs / 1000))) return 'no';
  if (st.isDirectory()) return 'denied';
  try {
    fs.unlinkSync(fsPath(path));
    return 'removed';
  } catch {
    return 'denied';
  }
}

/** Takes the dotlock `req.path`; false (already reported) when it cannot be had. */
export async function takeDotlock(req: LockRequest, env: DotlockEnv): Promise<boolean> {
  let name = req.path;
  let permanent = NFS_TRY;
  let triedForce = false;
  if (dirOf(name) === env.spoolDir && !writable(env.spoolDir)) {
    yell(req, 'Bypassed locking', name);
    return false;
  }
  for (;;) {
    yell(req, 'Locking', name);
    const r = attempt(name, env, req);
    if (r.ok) return true;
    let pause = true;
    switch (r.code) {
      case 'EEXIST': {
        const stale = removeIfStale(name, req, r.fsTime);
        if (stale !== 'no') {
          if (triedForce) return lockFailure(req, name);
          if (stale === 'removed') {
            req.log(`procmail: Forcing lock on "${name}"\n`);
            await env.sleep(req.suspendSeconds);
            pause = false;
            break;
          }
          triedForce = true;
          req.log(`procmail: Forced unlock denied on "${name}"\n`);
        } else triedForce = false;
        permanent = NFS_TRY;
        break;
      }
      case 'ENOSPC':
      case 'EDQUOT':
      case 'ENOENT':
      case 'ENOTDIR':
      case 'EIO':
        // maybe a short-lived shortage or an NFS hiccup: try again, a few times
        if (--permanent === 0) return lockFailure(req, name);
        break;
      case 'ENAMETOOLONG': {
        const i = name.length - 1;
        if (i > 0 && name[i - 1] !== '/') {
          req.log(`procmail: Truncating "${name}"\n and retrying lock\n`);
          name = name.slice(0, i);
          permanent = NFS_TRY;
          pause = false;
          break;
        }
        return lockFailure(req, name);
      }
      default:
        return lockFailure(req, name);
    }
    if (pause) await env.sleep(req.sleepSeconds);
  }
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(fsPath(dir), fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function lockFailure(req: LockRequest, name: string): false {
  req.log(`procmail: Lock failure on "${name}"\n`);
  return false;
}

/** Removes a dotlock. */
export function releaseDotlock(path: string, log: LogFn, verbose: boolean): void {
  if (verbose) log(`procmail: Unlocking "${path}"\n`);
  try {
    fs.unlinkSync(fsPath(path));
  } catch {
    log(`procmail: Couldn't unlock "${path}"\n`);
  }
}
