// Runs one message through the engine on a RecordingHost.
import { Engine } from '../../src/engine/engine.ts';
import { Environment } from '../../src/engine/vars.ts';
import { readMessage } from '../../src/message/index.ts';
import { RecordingHost } from './recording-host.ts';

export const RC_PATH = '/home/test/.procmailrc';

export async function runRc(
  rc: string,
  message: Buffer | string,
  opts: { extraRc?: Record<string, string>; programs?: ConstructorParameters<typeof RecordingHost>[1] } = {},
): Promise<{ exitCode: number; host: RecordingHost }> {
  const host = new RecordingHost({ [RC_PATH]: rc, ...opts.extraRc }, opts.programs);
  const env = new Environment([
    ['HOME', '/home/test'], ['LOGNAME', 'test'], ['SHELL', '/bin/sh'], ['PATH', '/usr/bin:/bin'],
    ['DEFAULT', '/var/mail/test'], ['ORGMAIL', '/var/mail/test'], ['SHELLMETAS', '&|<>~;?*['],
    ['SHELLFLAGS', '-c'], ['SENDMAIL', '/usr/sbin/sendmail'], ['SENDMAILFLAGS', '-oi'],
    ['LOCKEXT', '.lock'], ['MSGPREFIX', 'msg.'], ['LINEBUF', '2048'],
  ]);
  const raw = typeof message === 'string' ? Buffer.from(message, 'latin1') : message;
  const engine = new Engine({
    fx: host,
    mail: readMessage(raw, { now: host.now() }),
    berkeley: false,
    env,
    args: [],
    argv0: 'procmail',
    tempfail: false,
    assignments: [],
    rcfiles: [{ path: RC_PATH, kind: 'absolute' }],
    mailfilter: false,
    defaultMaildir: '/home/test',
  });
  const { exitCode } = await engine.run();
  return { exitCode, host };
}
