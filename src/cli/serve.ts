// `sluice serve`: every configured daemon from one TOML file (or the embedded default), in
// the foreground. SIGHUP reloads config and users, SIGTERM finishes deliveries and exits.
import { EX_OK, EX_TEMPFAIL } from '../sysexits.ts';
import { commandLine } from './args.ts';

/** sysexits EX_CONFIG: the configuration is wrong. */
const EX_CONFIG_ERROR = 78;

export const HELP = `Usage: sluice serve [--config FILE] [--check] [--print-config]

Starts the daemons the configuration enables (today: the LMTP delivery server; see
sluice lmtpd --help) and runs until SIGTERM. Without --config it reads ./sluice.toml when
present, else runs on the embedded default: LMTP on 127.0.0.1:2424 and
./sluice-data/lmtp.sock, virtual users in ./sluice-data/users (created with a sample user).

  --config FILE    the configuration (TOML)
  --check          check the configuration and exit (errors name file, line and key)
  --print-config   print the embedded default configuration and exit

Signals: SIGHUP re-reads the configuration, users and rc files without dropping connections
(a broken file is reported and the running configuration kept); SIGTERM/SIGINT stop
accepting, finish deliveries in progress, and exit 0. Logs: JSON lines on stderr, one per
delivery (qid, rcpt, folder, bytes, ms).
`;

export async function main(argv: string[]): Promise<number> {
  const parsed = commandLine('serve', argv, {
    config: { type: 'string', short: 'c' },
    check: { type: 'boolean' },
    'print-config': { type: 'boolean' },
  }, HELP);
  if (typeof parsed === 'number') return parsed;
  const values = parsed.values;
  const { ConfigError, DEFAULT_CONFIG_TEXT, loadConfig } = await import('../serve/config.ts');
  if (values['print-config']) {
    process.stdout.write(DEFAULT_CONFIG_TEXT);
    return EX_OK;
  }
  const { existsSync } = await import('node:fs');
  const file = values.config ?? (existsSync('sluice.toml') ? 'sluice.toml' : null);
  let cfg;
  try {
    cfg = loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sluice serve: ${err.message}\n`);
      return EX_CONFIG_ERROR;
    }
    throw err;
  }
  if (values.check) {
    process.stdout.write(`${cfg.file ?? '(embedded default)'}: ok\n`);
    return EX_OK;
  }
  const { createLogger } = await import('../lmtp/log.ts');
  const { startServe } = await import('../serve/supervisor.ts');
  const { runUntilSignalled } = await import('./lmtpd.ts');
  const log = createLogger(cfg.logLevel, 'serve');
  let handle;
  try {
    handle = await startServe(cfg, log);
  } catch (err) {
    log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'sluice serve cannot start');
    return EX_TEMPFAIL;
  }
  return runUntilSignalled(handle, log);
}
