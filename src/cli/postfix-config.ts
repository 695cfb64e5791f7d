// `sluice postfix-config`: the Postfix settings that hand local deliveries to sluice's LMTP
// server, for the configuration in use (or given --listen addresses).
import { EX_OK, EX_USAGE } from '../sysexits.ts';
import { commandLine } from './args.ts';

export const HELP = `Usage: sluice postfix-config [--config FILE | --listen ADDR] [--virtual DOMAIN...]

Prints the main.cf and master.cf lines that make Postfix deliver local mail through sluice
(LMTP), for the addresses of sluice serve's configuration (./sluice.toml or the embedded
default) or the given --listen address. Apply with \`postconf -e '...'\` and \`postfix reload\`.

  --config FILE      read the listen addresses from this configuration
  --listen ADDR      host:port or unix socket path (overrides the configuration)
  --virtual DOMAIN   also deliver these domains' mail through sluice (virtual mailbox domains)
`;

/** The lines for one LMTP address (a unix socket is preferred: no TCP stalls, file permissions). */
export function postfixLines(listen: string, virtualDomains: string[] = []): { mainCf: string[]; masterCf: string[] } {
  const isPath = listen.includes('/');
  const nexthop = isPath ? `lmtp:unix:${listen}` : `lmtp:inet:${listen}`;
  const mainCf = [
    '# local(8) hands every local mailbox delivery to sluice over LMTP (after aliases and .forward)',
    `mailbox_transport = ${nexthop}`,
    '# sluice answers per recipient; a batch of recipients shares one DATA transfer',
    'lmtp_destination_recipient_limit = 50',
  ];
  if (virtualDomains.length) {
    mainCf.push(
      '# virtual mailbox domains: every recipient goes to sluice (users from its passwd-file)',
      `virtual_mailbox_domains = ${virtualDomains.join(', ')}`,
      `virtual_transport = ${nexthop}`,
    );
  }
  const masterCf = [
    '# the stock LMTP client service (present in every default master.cf; add it if missing)',
    'lmtp      unix  -       -       n       -       -       lmtp',
  ];
  return { mainCf, masterCf };
}

export async function main(argv: string[]): Promise<number> {
  const parsed = commandLine('postfix-config', argv, {
    config: { type: 'string', short: 'c' },
    listen: { type: 'string' },
    virtual: { type: 'string', multiple: true },
  }, HELP);
  if (typeof parsed === 'number') return parsed;
  const values = parsed.values;
  let listen = values.listen;
  if (listen === undefined) {
    const { existsSync } = await import('node:fs');
    const { ConfigError, loadConfig } = await import('../serve/config.ts');
    try {
      const cfg = loadConfig(values.config ?? (existsSync('sluice.toml') ? 'sluice.toml' : null));
      // a unix socket first: Postfix reaches it without TCP, and it is where it must be
      listen = cfg.lmtp.listen.find((a) => a.includes('/')) ?? cfg.lmtp.listen[0];
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`sluice postfix-config: ${err.message}\n`);
        return 78;
      }
      throw err;
    }
  } else if (values.listen!.includes('/') && !values.listen!.startsWith('/')) {
    const { resolve } = await import('node:path');
    listen = resolve(values.listen!);
  }
  if (!listen) {
    process.stderr.write('sluice postfix-config: no LMTP listen address configured\n');
    return EX_USAGE;
  }
  const { mainCf, masterCf } = postfixLines(listen, values.virtual ?? []);
  process.stdout.write(`# --- main.cf ---\n${mainCf.join('\n')}\n\n# --- master.cf ---\n${masterCf.join('\n')}\n`);
  return EX_OK;
}
