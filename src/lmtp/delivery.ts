// One recipient's delivery inside a worker: exactly what `sluice procmail -f SENDER -d USER`
// does with the message (same starting environment, same From_ line, same rcfile, same
// engine and host), except that a final failure exits EX_TEMPFAIL (procmail's -t) so the MTA
// retries instead of bouncing.
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import type { FolderDelivery, FolderResult } from '../engine/effects.ts';
import { Engine, type RcSpec } from '../engine/engine.ts';
import { startEnvironment } from '../engine/startenv.ts';
import type { Environment } from '../engine/vars.ts';
import { RealHost } from '../deliver/host.ts';
import { readMessage } from '../message/index.ts';
import { EX_TEMPFAIL } from '../sysexits.ts';
import type { DeliveryJob, DeliveryResult, WorkerInit } from './ipc.ts';
import type { MailUser } from './users.ts';

/** Run before the user's rc when it exists, as procmail -d does. */
const ETCRC = '/etc/procmailrc';

/** Where the mail goes when no recipe delivers it. */
export function defaultMailbox(user: MailUser): string {
  // system users: the spool file procmail uses; virtual users have no spool, and Dovecot
  // (mail_location = maildir:~/Maildir) serves $HOME/Maildir
  return user.virtual ? `${user.home}/Maildir/` : `/var/mail/${user.name}`;
}

/**
 * procmail's starting environment in -d mode (the one every front door shares), with the
 * virtual users' DEFAULT/ORGMAIL moved to their Maildir.
 */
export function deliveryEnvironment(user: MailUser, hostname: string, tz: string | undefined): Environment {
  const env = startEnvironment({ user, hostname, callerEnv: { TZ: tz } });
  if (user.virtual) {
    env.set('DEFAULT', defaultMailbox(user));
    env.set('ORGMAIL', defaultMailbox(user));
  }
  return env;
}

/** The real host, remembering what the folder writers reported (for the log and the reply). */
class ObservedHost extends RealHost {
  bytes = 0;
  noSpace = false;
  override async deliver(req: FolderDelivery): Promise<FolderResult> {
    const r = await super.deliver(req);
    if (r.ok) this.bytes = r.bytes;
    else if (r.failure === 'no-space') this.noSpace = true;
    return r;
  }
}

// asked once per worker, as Dovecot and Postfix read the host name at start (a worker
// lives for minutes, and a reload replaces it)
let hostname: string | undefined;

/** Runs the engine for one job and its message; never throws (an unexpected error is EX_TEMPFAIL). */
export async function deliver(job: DeliveryJob, data: Buffer, who: Pick<WorkerInit, 'user' | 'systemRc' | 'invoker'>, tz: string | undefined = process.env.TZ): Promise<DeliveryResult> {
  const started = performance.now();
  hostname ??= os.hostname();
  const host = new ObservedHost({ hostname });
  let exitCode: number = EX_TEMPFAIL;
  let folder = '';
  try {
    const env = deliveryEnvironment(who.user, host.hostname(), tz);
    // a delivering server records the envelope sender (RFC 5321 4.4), as Postfix's local(8)
    // and Dovecot's LMTP do; the rc sees it like any other header field
    const returnPath = Buffer.from(`Return-Path: <${job.sender}>\n`, 'latin1');
    const mail = readMessage(Buffer.concat([returnPath, data]), {
      // -f SENDER: Postfix's pipe and local(8) pass MAILER-DAEMON for the null sender
      fromSender: job.sender || 'MAILER-DAEMON',
      generateFrom: who.invoker,
      // the daemon is the MTA's trusted delivery agent (procmail -d run by root/mail)
      privileged: true,
      now: host.now(),
    });
    const rcfiles: RcSpec[] = [{ path: '.procmailrc', kind: 'default' }];
    if (who.systemRc) rcfiles.push({ path: who.systemRc, kind: 'absolute' });
    const engine = new Engine({
      fx: host,
      mail,
      berkeley: false,
      env,
      args: job.args,
      argv0: 'procmail',
      tempfail: true,
      assignments: [],
      rcfiles,
      mailfilter: false,
      defaultMaildir: who.user.home,
      etcrc: existsSync(ETCRC) ? ETCRC : undefined,
    });
    const res = await engine.run();
    exitCode = res.exitCode ?? EX_TEMPFAIL;
    folder = env.text('LASTFOLDER');
  } catch (err) {
    host.log(`procmail: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    exitCode = EX_TEMPFAIL;
  } finally {
    host.setLogfile(undefined); // close a LOGFILE the rc opened: the next job starts on stderr
  }
  return { id: job.id, exitCode, folder, bytes: host.bytes, noSpace: host.noSpace, ms: performance.now() - started };
}
