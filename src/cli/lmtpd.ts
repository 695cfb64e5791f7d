// `sluice lmtpd`: the resident LMTP delivery daemon in the foreground (for scripts, tests and
// process supervisors). `sluice serve` starts the same daemon from a config file.
import { EX_OK, EX_TEMPFAIL, EX_USAGE } from '../sysexits.ts';
import { commandLine } from './args.ts';

export const HELP = `Usage: sluice lmtpd --listen ADDR [--listen ADDR...] [--passwd-file FILE] [options]

Resident LMTP server (RFC 2033) for an MTA's local deliveries: for every recipient it runs
the user's rc ($HOME/.procmailrc, else --system-rc, else plain delivery to DEFAULT) through
the procmail-compatible engine, as that user, and answers per recipient after DATA.
Runs in the foreground, logs JSON lines to stderr, ready once it logs "lmtpd ready".

  --listen ADDR          host:port (port 0 = any free port) or a unix socket path; repeatable
  --passwd-file FILE     virtual users, Dovecot format  user:password:uid:gid::home::
  --no-system-users      do not deliver to /etc/passwd accounts
  --system-rc FILE       rc for users without a readable ~/.procmailrc
  --recipient-delimiter C  user+ext -> user, \$1=ext (default +; '' turns it off)
  --max-size BYTES       largest message (default 52428800); larger ones get 552
  --timeout SECONDS      per delivery (default 300), then 451 and the worker is killed
  --workers-per-user N   parallel deliveries for one user (default 4)
  --listener-user NAME   uid of the network-facing process when run as root (default nobody)
  --log-level LEVEL      fatal, error, warn, info (default), debug

Signals: SIGHUP re-reads the passwd-file and replaces the workers without dropping
connections; SIGTERM/SIGINT stop accepting, finish deliveries in progress, and exit 0.
Run as root to deliver as any user; otherwise every user must have this process's uid.
`;

export async function main(argv: string[]): Promise<number> {
  const parsed = commandLine('lmtpd', argv, {
    listen: { type: 'string', multiple: true },
    'passwd-file': { type: 'string' },
    'no-system-users': { type: 'boolean' },
    'system-rc': { type: 'string' },
    'recipient-delimiter': { type: 'string' },
    'max-size': { type: 'string' },
    timeout: { type: 'string' },
    'workers-per-user': { type: 'string' },
    'listener-user': { type: 'string' },
    'log-level': { type: 'string' },
  }, HELP);
  if (typeof parsed === 'number') return parsed;
  const values = parsed.values;
  if (!values.listen?.length) {
    process.stderr.write(`sluice lmtpd: at least one --listen ADDR is needed\n${HELP}`);
    return EX_USAGE;
  }
  const num = (name: string, v: string | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: "${v}" is not a positive integer`);
    return n;
  };
  const { startLmtpd, LMTPD_DEFAULTS } = await import('../lmtp/daemon.ts');
  const { createLogger } = await import('../lmtp/log.ts');
  const { resolve } = await import('node:path');
  const level = values['log-level'] ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    process.stderr.write(`sluice lmtpd: --log-level: unknown level "${level}"\n`);
    return EX_USAGE;
  }
  const logger = createLogger(level as 'info', 'lmtpd');
  let options;
  try {
    options = {
      ...LMTPD_DEFAULTS,
      listen: values.listen,
      passwdFile: values['passwd-file'] !== undefined ? resolve(values['passwd-file']) : undefined,
      systemUsers: !values['no-system-users'],
      systemRc: values['system-rc'] !== undefined ? resolve(values['system-rc']) : undefined,
      recipientDelimiter: values['recipient-delimiter'] ?? LMTPD_DEFAULTS.recipientDelimiter,
      maxMessageSize: num('max-size', values['max-size'], LMTPD_DEFAULTS.maxMessageSize),
      deliveryTimeoutSeconds: num('timeout', values.timeout, LMTPD_DEFAULTS.deliveryTimeoutSeconds),
      workersPerUser: num('workers-per-user', values['workers-per-user'], LMTPD_DEFAULTS.workersPerUser),
      listenerUser: values['listener-user'],
      logger,
    };
  } catch (err) {
    process.stderr.write(`sluice lmtpd: ${(err as Error).message}\n`);
    return EX_USAGE;
  }
  let daemon;
  try {
    daemon = await startLmtpd(options);
  } catch (err) {
    logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'lmtpd cannot start');
    return EX_TEMPFAIL;
  }
  return runUntilSignalled(daemon, logger);
}

/** Foreground life of a daemon: SIGHUP reloads, SIGTERM/SIGINT stop gracefully. */
export async function runUntilSignalled(
  daemon: { reload(): Promise<void>; close(): Promise<void> },
  logger: { info(obj: object, msg: string): void; error(obj: object, msg: string): void },
  reload: () => Promise<void> = () => daemon.reload(),
): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onHup = () => {
      reload().catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'reload failed; keeping the old configuration'));
    };
    const onStop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: finishing deliveries in progress');
      daemon.close().then(
        () => {
          process.off('SIGHUP', onHup);
          resolve(EX_OK);
        },
        (err: unknown) => {
          logger.error({ err: String(err) }, 'error while stopping');
          resolve(EX_TEMPFAIL);
        },
      );
    };
    process.on('SIGHUP', onHup);
    process.once('SIGTERM', () => onStop('SIGTERM'));
    process.once('SIGINT', () => onStop('SIGINT'));
  });
}
