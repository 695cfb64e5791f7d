// sluice: one CLI, many subcommands. Each subcommand is imported lazily so that the
// per-message path (`sluice procmail`) loads only what it needs.
import { EX_TEMPFAIL, EX_USAGE } from '../sysexits.ts';

type Main = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Main> }> = {
  procmail: { summary: 'procmail-compatible delivery agent (procmail(1) options)', load: async () => (await import('./procmail.ts')).main },
  formail: { summary: 'formail-compatible mail (re)formatter (formail(1) options)', load: async () => (await import('./formail.ts')).main },
  demo: { summary: 'deliver sample mail through a sample rc into ./Mail', load: async () => (await import('./demo.ts')).main },
};

export const HELP = `sluice - mail filtering with one procmail-compatible rule engine

USAGE
  sluice COMMAND [ARGS...]
  sluice COMMAND --help

COMMANDS
${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`).join('\n')}

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
