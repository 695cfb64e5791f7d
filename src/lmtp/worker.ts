// The resident per-user worker (`sluice worker`, hidden): started by the supervisor for one
// user, it drops to that user's uid/gid/groups before it reads any job, then runs one
// delivery at a time (the real host uses the process's cwd, umask and log descriptor) for
// as long as the supervisor keeps it.
import { deliver } from './delivery.ts';
import type { FromWorker, ToWorker } from './ipc.ts';

export interface WorkerIdentity {
  uid: number;
  gid: number;
  groups: number[];
}

/** argv: --uid N --gid N [--groups a,b,c] */
export function parseWorkerArgs(argv: string[]): WorkerIdentity | null {
  const get = (flag: string) => {
    const k = argv.indexOf(flag);
    return k >= 0 ? argv[k + 1] : undefined;
  };
  const uid = Number(get('--uid'));
  const gid = Number(get('--gid'));
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid < 0 || gid < 0) return null;
  const groups = (get('--groups') ?? '').split(',').filter(Boolean).map(Number);
  if (groups.some((g) => !Number.isInteger(g) || g < 0)) return null;
  return { uid, gid, groups };
}

/**
 * Become the user for good: supplementary groups, then gid, then uid (after setuid we could
 * no longer change the others). Verified afterwards, so a half-dropped worker never runs.
 */
export function dropPrivileges(id: WorkerIdentity): void {
  const uid = process.getuid!();
  if (uid === id.uid && process.getgid!() === id.gid) return; // already the user (daemon not run as root)
  if (uid !== 0) throw new Error(`cannot become uid ${id.uid}: not running as root`);
  process.setgroups!(id.groups.length ? id.groups : [id.gid]);
  process.setgid!(id.gid);
  process.setuid!(id.uid);
  if (process.getuid!() !== id.uid || process.geteuid!() !== id.uid || process.getgid!() !== id.gid || process.getegid!() !== id.gid) {
    throw new Error('privilege drop did not take effect');
  }
}

function send(msg: FromWorker): void {
  process.send?.(msg);
}

export async function main(argv: string[]): Promise<number> {
  const id = parseWorkerArgs(argv);
  if (!id || !process.send) {
    process.stderr.write('sluice worker: internal command of sluice lmtpd (needs an IPC channel and --uid/--gid)\n');
    return 64;
  }
  try {
    dropPrivileges(id);
  } catch (err) {
    process.stderr.write(`sluice worker: ${err instanceof Error ? err.message : String(err)}\n`);
    return 75;
  }
  // jobs arrive one at a time (the supervisor waits for each result), but queue them anyway
  let chain: Promise<void> = Promise.resolve();
  let exiting = false;
  await new Promise<void>((resolve) => {
    process.on('message', (raw: ToWorker) => {
      if (raw.type === 'exit') {
        exiting = true;
        void chain.then(resolve);
        return;
      }
      if (raw.type !== 'deliver' || exiting) return;
      const job = raw.job;
      chain = chain.then(async () => {
        try {
          process.chdir(job.user.home);
        } catch {
          process.chdir('/');
        }
        try {
          send({ type: 'result', result: await deliver(job) });
        } catch (err) {
          send({ type: 'failed', id: job.id, error: err instanceof Error ? err.message : String(err) });
        }
      });
    });
    process.on('disconnect', () => {
      exiting = true;
      void chain.then(resolve);
    });
    send({ type: 'ready', pid: process.pid });
  });
  process.disconnect?.();
  return 0;
}
