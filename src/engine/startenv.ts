// The environment procmail starts a run with (its cleanupenv + initdefenv), shared by every
// front door: `sluice procmail`, the LMTP workers and `sluice test` must start from the same
// variables, or a dry run and a real delivery could disagree. Pure: no file system access.
import { Environment } from './vars.ts';

export const PM_VERSION = '3.23pre';

export interface MailUser {
  name: string;
  home: string;
}

export interface StartOptions {
  user: MailUser;
  hostname: string;
  /** The caller's environment: only TZ survives unless `preserve` (-p). */
  callerEnv: Record<string, string | undefined>;
  /** -p */
  preserve?: boolean;
  /** -m: ORGMAIL is not used. */
  mailfilter?: boolean;
  /** An rcfile was named on the command line (COMSAT=no). */
  commandLineRc?: boolean;
  /** Where system mailboxes live (DEFAULT = ORGMAIL = <spoolDir>/<user>). */
  spoolDir?: string;
}

/** Variables the runtime linker obeys: never passed on, even with -p. */
const LINKER_VARS = /^(LD_|_RLD|LIBPATH$|ELF_LD_|AOUT_LD_)/;

export function startEnvironment(o: StartOptions): Environment {
  const env = new Environment();
  if (o.preserve) {
    for (const [k, v] of Object.entries(o.callerEnv)) {
      if (v !== undefined && !LINKER_VARS.test(k)) env.set(k, v);
    }
  } else if (o.callerEnv.TZ !== undefined) env.set('TZ', o.callerEnv.TZ);
  env.set('LOGNAME', o.user.name);
  env.set('HOME', o.user.home);
  const mailbox = `${o.spoolDir ?? '/var/mail'}/${o.user.name}`;
  env.set('DEFAULT', mailbox);
  env.set('SHELL', '/bin/sh');
  if (!o.preserve || !o.mailfilter) {
    env.set('PROCMAIL_VERSION', PM_VERSION);
    env.set('SENDMAILFLAGS', '-oi');
    env.set('SENDMAIL', '/usr/sbin/sendmail');
    env.set('SHELLFLAGS', '-c');
    env.set('MSGPREFIX', 'msg.');
    env.set('LOCKEXT', '.lock');
    env.set('SHELLMETAS', '&|<>~;?*[');
    env.set('HOST', o.hostname);
    for (const name of ['LASTFOLDER', 'EXITCODE', 'IFS', 'ENV', 'PWD']) env.unset(name);
  }
  env.set('LINEBUF', '2048');
  if (o.commandLineRc) env.set('COMSAT', 'no');
  if (o.mailfilter) env.unset('ORGMAIL');
  else env.set('ORGMAIL', mailbox);
  env.set('PATH', `${o.user.home}/bin:/usr/local/bin:/usr/bin:/bin`);
  return env;
}
