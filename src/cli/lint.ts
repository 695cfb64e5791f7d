// `sluice lint FILE...`: static checks of procmail rcfiles, reported GNU style. The checks
// are in src/lint; `sluice test --lint` runs the same ones.
import { EX_OK, EX_USAGE } from '../sysexits.ts';
import { formatDiagnostic, lintFiles } from '../lint/lint.ts';
import { commandLine } from './args.ts';
import { userAndHome } from './user-option.ts';

export const HELP = `Usage: sluice lint [--home DIR] [--user NAME] [--errors-only] RCFILE...

Reads procmail rcfiles the way procmail does, without a message, and reports problems as
  file:line:col: severity: message [check]
Checks: syntax procmail would log and skip [syntax], unknown flags [unknown-flag],
conflicting or useless flags [flags], mbox delivery without a lockfile [mbox-lock], invalid
or misleading regexes [regex], unescaped "." in address patterns [address-dot], conditions
that can never match [never-matches], recipes after one that always delivers [unreachable],
c on a block that delivers nothing [copy-block], header-derived variables such as $MATCH in
shell commands [unsafe-shell], INCLUDERC/SWITCHRC files that do not exist [includerc], a
MAILDIR that is not a directory [maildir].
INCLUDERC files that exist are checked too.

Options:
  --home DIR      HOME (and default MAILDIR) to resolve names with (default: yours)
  --user NAME     take HOME and LOGNAME from this user's passwd entry
  --errors-only   do not print warnings

Exit status: 0 no errors (warnings allowed), 1 errors found, 64 usage.
`;

export async function main(argv: string[]): Promise<number> {
  const parsed = commandLine('lint', argv, {
    home: { type: 'string' },
    user: { type: 'string' },
    'errors-only': { type: 'boolean' },
  }, HELP, true);
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  if (!parsed.positionals.length) {
    process.stderr.write(HELP);
    return EX_USAGE;
  }
  const who = userAndHome('lint', v);
  if (typeof who === 'number') return who;
  const { user, home } = who;
  const diags = await lintFiles(parsed.positionals, { home, logname: user.name });
  let errors = false;
  for (const d of diags) {
    if (d.severity === 'error') errors = true;
    else if (v['errors-only']) continue;
    process.stdout.write(formatDiagnostic(d) + '\n');
  }
  return errors ? 1 : EX_OK;
}
