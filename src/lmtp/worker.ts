// The resident per-user worker (`sluice worker`, hidden): started by the supervisor for one
// user, it drops to that user's uid/gid/groups before it reads any job, receives its channel
// to the listener, then runs one delivery at a time (the real host uses the process's cwd,
// umask and log descriptor) until the listener closes the channel or the supervisor says exit.
import type * as net from 'node:net';
import { EX_TEMPFAIL, EX_USAGE } from '../sysexits.ts';
import { deliver } from './delivery.ts';
import { FrameChannel } from './frames.ts';
import type { DeliveryJob, FromWorker, ToWorker, WorkerAnswer } from './ipc.ts';

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

/**
 * Start of lmtpd's hidden child commands: check `--uid/--gid/--groups` and the IPC channel,
 * then drop privileges for good. null when done; otherwise the exit status (after a message).
 */
export function becomeFromArgs(argv: string[], command: string): number | null {
  const id = parseWorkerArgs(argv);
  if (!id || !process.send) {
    process.stderr.write(`sluice ${command}: internal command of sluice lmtpd (needs an IPC channel and --uid/--gid)\n`);
    return EX_USAGE;
  }
  try {
    dropPrivileges(id);
  } catch (err) {
    process.stderr.write(`sluice ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EX_TEMPFAIL;
  }
  return null;
}

export async function main(argv: string[]): Promise<number> {
  const failed = becomeFromArgs(argv, 'worker');
  if (failed !== null) return failed;
  // deliveries arrive one at a time (the listener waits for each answer), but queue them anyway
  let chain: Promise<void> = Promise.resolve();
  let channel: FrameChannel<DeliveryJob, WorkerAnswer> | undefined;
  await new Promise<void>((resolve) => {
    const leave = () => void chain.then(resolve);
    process.on('message', (msg: ToWorker, handle?: net.Socket) => {
      if (msg.type === 'exit') return leave();
      if (msg.type !== 'init' || channel || !handle) return;
      const init = msg.init;
      channel = new FrameChannel<DeliveryJob, WorkerAnswer>(handle, init.maxFrame);
      channel.listen(
        (job, data) => {
          chain = chain.then(async () => {
            try {
              process.chdir(init.user.home);
            } catch {
              process.chdir('/');
            }
            try {
              channel!.send({ type: 'result', result: await deliver(job, data, init) });
            } catch (err) {
              channel!.send({ type: 'failed', id: job.id, error: err instanceof Error ? err.message : String(err) });
            }
          });
        },
        leave, // the listener let us go (idle, reload) or went away
      );
      handle.resume();
    });
    process.on('disconnect', leave);
    const ready: FromWorker = { type: 'ready', pid: process.pid };
    process.send!(ready);
  });
  channel?.close();
  process.disconnect?.();
  return 0;
}
