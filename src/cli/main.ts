// sluice: one CLI, many subcommands. Each subcommand is imported lazily so that the
// per-message path (`sluice procmail`) loads only what it needs.
import { EX_TEMPFAIL, EX_USAGE } from '../sysexits.ts';

type Main = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Main>; hidden?: true }> = {
  procmail: { summary: 'procmail-compatible delivery agent (procmail(1) options)', load: async () => (await import('./procmail.ts')).main },
  formail: { summary: 'formail-compatible mail (re)formatter (formail(1) options)', load: async () => (await import('./formail.ts')).main },
  test: { summary: 'dry run: where messages would be delivered by an rcfile, and why', load: async () => (await import('./test.ts')).main },
  lint: { summary: 'check procmail rcfiles for errors and risky constructs', load: async () => (await import('./lint.ts')).main },
  demo: { summary: 'deliver sample mail through a sample rc into ./Mail', load: async () => (await import('./demo.ts')).main },
  serve: { summary: 'start the configured daemons (LMTP...) from sluice.toml or the embedded default', load: async () => (await import('./serve.ts')).main },
  lmtpd: { summary: 'resident LMTP delivery server for an MTA (foreground)', load: async () => (await import('./lmtpd.ts')).main },
  'postfix-config': { summary: 'print the Postfix main.cf/master.cf lines for sluice lmtpd/serve', load: async () => (await import('./postfix-config.ts')).main },
  // internal: processes lmtpd starts (a per-user delivery worker, the unprivileged LMTP listener)
  worker: { summary: '', hidden: true, load: async () => (await import('../lmtp/worker.ts')).main },
  'lmtp-listener': { summary: '', hidden: true, load: async () => (await import('../lmtp/listener-main.ts')).main },
};

export const HELP = `sluice - mail filtering with one procmail-compatible rule engine

USAGE
  sluice COMMAND [ARGS...]
  sluice COMMAND --help

COMMANDS
${Object.entries(COMMANDS).filter(([, c]) => !c.hidden).map(([n, c]) => `  ${n.padEnd(14)} ${c.summary}`).join('\n')}

EXIT STATUS
  As procmail/formail for those commands. Any internal failure exits 75 (EX_TEMPFAIL),
  so that an MTA retries the message instead of bouncing it.
`;

async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd === undefined ? EX_USAGE : 0;
  }
  const entry = COMMANDS[cmd];
  if (!entry) {
    process.stderr.write(`sluice: unknown command "${cmd}"\n${HELP}`);
    return EX_USAGE;
  }
  return (await entry.load())(rest);
}

function fatal(err: unknown): never {
  try {
    process.stderr.write(`sluice: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  } finally {
    process.exit(EX_TEMPFAIL);
  }
}

process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
run(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  fatal,
);
