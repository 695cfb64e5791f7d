// The option handling every parseArgs-based subcommand shares: a parse error prints the
// message and the manual (EX_USAGE), --help/-h (added here to every command) prints the
// manual (EX_OK). procmail and formail
// parse their own historical syntax by hand and do not use this.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EX_OK, EX_USAGE } from '../sysexits.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** The parsed command line, or the exit status when there is nothing left to do. */
export function commandLine<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  help: string,
  /** Does the command take operands (files)? Otherwise a stray word is a usage error. */
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> | number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, ...HELP_OPTION }, allowPositionals: true, strict: true });
    if (!allowPositionals && parsed.positionals.length) throw new Error(`unexpected argument '${parsed.positionals[0]}'`);
  } catch (err) {
    process.stderr.write(`sluice ${command}: ${(err as Error).message}\n${help}`);
    return EX_USAGE;
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help);
    return EX_OK;
  }
  return parsed;
}
