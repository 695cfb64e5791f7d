// `sluice test`: run messages through an rcfile without delivering anything, and say where
// each would go and why. The work is in src/tester; this is the command line.
import { readFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EX_NOINPUT, EX_OK, EX_USAGE } from '../sysexits.ts';
import { processIdentity } from '../tester/access.ts';
import { readRcFile } from '../deliver/rcfile.ts';
import { parseSavedRun } from '../tester/json.ts';
import { runSession, type DiffBase, type OutputFormat } from '../tester/session.ts';
import { chooseStyle, type ColourChoice } from '../tester/style.ts';
import { commandLine } from './args.ts';
import { userAndHome } from './user-option.ts';

export const HELP = `Usage: sluice test --rc RCFILE [options] [INPUT...]

Runs every message of the INPUTs through RCFILE with the procmail engine in dry-run mode:
nothing is written, no mail is sent, no program runs. For each message it shows the
recipes tried, each condition with its result, score and MATCH, the variables set, the
programs that would run and where the message would be delivered; then a table of folders
with message counts.

INPUT: an mbox (split as formail -s does), a Maildir, an MH folder, a message file (.eml),
or a directory of those; "-" or nothing: standard input.

Options:
  --rc FILE          the rcfile (repeat to give procmail's list of rcfiles to try)
  --brief            one line per message instead of the explanation
  --summary          only the table of folders
  -v, --verbose      also every assignment and log line
  --json             one JSON object per message and a summary line (docs/sluice-test.md)
  --diff OLD         OLD is an rcfile or a saved --json run: show only the messages that would
                     go somewhere else (exit status 1 when there are any)
  --lint             check the rcfile(s) first, as "sluice lint" does
  --run-programs     run condition programs, filters, captures and backticks for real, in a
                     scratch directory (--sandbox DIR to choose it); delivering pipes and
                     forwards never run
  --sandbox DIR      the directory programs run in with --run-programs
  --set VAR=VALUE    a procmail command-line assignment (repeatable)
  --user NAME        run as this user's HOME, LOGNAME and /var/mail/NAME (default: you)
  --home DIR         use DIR as HOME (and the default MAILDIR)
  -Y, -f FROM, -o, -t, -p, -m, -a ARG   as for "sluice procmail"
  --color WHEN       auto (default), always, never
  --no-progress      no progress bar on stderr

The starting environment is that of "sluice procmail [VAR=value...] RCFILE" run by the
user (HOME, LOGNAME from the passwd entry; MAILDIR=HOME; DEFAULT=ORGMAIL=/var/mail/LOGNAME).
Programs that do not run answer "exit 0, no output"; a filter hands the message back
unchanged. formail (run directly, without -s) is answered by sluice's own formail in this
process, with -D working on a private copy of the cache.

Exit status: 0; 1 when --diff found changes or --lint found errors; 64 usage; 66 no input.
`;

export async function main(argv: string[]): Promise<number> {
  const parsed = commandLine('test', argv, {
    rc: { type: 'string', multiple: true },
    brief: { type: 'boolean' },
    summary: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    json: { type: 'boolean' },
    diff: { type: 'string' },
    lint: { type: 'boolean' },
    'run-programs': { type: 'boolean' },
    sandbox: { type: 'string' },
    set: { type: 'string', multiple: true },
    user: { type: 'string' },
    home: { type: 'string' },
    Y: { type: 'boolean', short: 'Y' },
    f: { type: 'string', short: 'f' },
    o: { type: 'boolean', short: 'o' },
    t: { type: 'boolean', short: 't' },
    p: { type: 'boolean', short: 'p' },
    m: { type: 'boolean', short: 'm' },
    a: { type: 'string', short: 'a', multiple: true },
    color: { type: 'string' },
    'no-progress': { type: 'boolean' },
  }, HELP, true);
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  const rcfiles = (v.rc ?? []).map((p) => resolve(p));
  if (!rcfiles.length) {
    process.stderr.write(`sluice test: --rc RCFILE is required\n${HELP}`);
    return EX_USAGE;
  }
  const colour = (v.color ?? 'auto') as ColourChoice;
  if (!['auto', 'always', 'never'].includes(colour)) {
    process.stderr.write(`sluice test: --color must be auto, always or never\n`);
    return EX_USAGE;
  }
  const who = userAndHome('test', v);
  if (typeof who === 'number') return who;
  const { user, home } = who;
  // permissions are judged for the user the delivery would run as
  const identity = v.user !== undefined ? { uid: user.uid, gid: user.gid, groups: [user.gid] } : processIdentity();
  for (const rc of rcfiles) {
    const r = readRcFile(rc, 'explicit', identity);
    if (r.ok) continue;
    if (r.reason === 'missing') {
      process.stderr.write(`sluice test: cannot read "${rc}"\n`);
      return EX_NOINPUT;
    }
    process.stderr.write(`sluice test: warning: procmail would refuse "${rc}" (Suspicious rcfile: owner or permissions); the dry run shows what that means\n`);
  }

  let status = EX_OK;
  if (v.lint) {
    const { lintFiles, formatDiagnostic } = await import('../lint/lint.ts');
    const diags = await lintFiles(rcfiles, { home, logname: user.name });
    for (const d of diags) process.stderr.write(formatDiagnostic(d) + '\n');
    if (diags.some((d) => d.severity === 'error')) status = 1;
  }

  let diff: DiffBase | undefined;
  if (v.diff !== undefined) {
    if (!existsSync(v.diff)) {
      process.stderr.write(`sluice test: cannot read "${v.diff}"\n`);
      return EX_NOINPUT;
    }
    const text = readFileSync(v.diff, 'latin1');
    diff = /^\s*\{/.test(text) ? { kind: 'saved', runs: parseSavedRun(text) } : { kind: 'rc', rcfiles: [resolve(v.diff)] };
  }

  const inputs = parsed.positionals.filter((p) => p !== '-');
  for (const p of inputs) {
    if (!existsSync(p)) {
      process.stderr.write(`sluice test: no such input "${p}"\n`);
      return EX_NOINPUT;
    }
  }
  let stdin: Buffer | undefined;
  if (!inputs.length) {
    if (v.lint && !parsed.positionals.includes('-') && process.stdin.isTTY) return status;
    stdin = readFileSync(0);
  }

  const sandbox = v['run-programs'] ? (v.sandbox !== undefined ? resolve(v.sandbox) : mkdtempSync(join(tmpdir(), 'sluice-test-'))) : undefined;
  const format: OutputFormat = v.json ? 'json' : v.summary ? 'summary' : v.brief ? 'brief' : 'explain';
  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(out.splice(0).join(''));
  };
  const res = await runSession({
    dryRun: {
      rcfiles,
      assignments: v.set ?? [],
      args: v.a ?? [],
      user: { name: user.name, home },
      berkeley: !!v.Y,
      fromSender: v.f,
      override: !!v.o,
      tempfail: !!v.t,
      preserve: !!v.p,
      mailfilter: !!v.m,
      identity,
      sandbox,
    },
    inputs,
    stdin,
    format,
    report: { style: chooseStyle(colour, process.stdout, process.env), home, verbose: !!v.verbose },
    diff,
    write: (s) => {
      out.push(s);
      if (out.length >= 64) flush();
    },
    progress: v['no-progress'] ? undefined : process.stderr,
    warn: (s) => process.stderr.write(s),
  });
  flush();
  if (sandbox && v.sandbox === undefined) process.stderr.write(`sluice test: programs ran in ${sandbox}\n`);
  if (diff && res.changed > 0) status = 1;
  return status;
}
