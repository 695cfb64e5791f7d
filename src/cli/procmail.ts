// `sluice procmail`: the procmail(1) command line. Parses procmail's own option syntax by
// hand (clustered flags, -f-, -a arg, -d user...), builds the starting environment the way
// procmail does, reads the mail, and hands everything to the engine with the real host.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Engine, type RcSpec } from '../engine/engine.ts';
import { startEnvironment } from '../engine/startenv.ts';
import { readMessage } from '../message/index.ts';
import { RealHost } from '../deliver/host.ts';
import { processUmask, setProcessUmask } from '../deliver/umask.ts';
import { lookupUser } from '../deliver/passwd.ts';
import { EX_NOPERM, EX_NOUSER, EX_OK, EX_TEMPFAIL, EX_USAGE } from '../sysexits.ts';
import { MESSAGE_SIZE_MAX } from '../limits.ts';

const VERSION = 'procmail v3.23pre 2001/09/13 (compatible: sluice)';
const ETCRC = '/etc/procmailrc';

export const HELP = `Usage: sluice procmail [-vptoY] [-f fromwhom] [parameter=value | rcfile] ...
   Or: sluice procmail [-toY] [-f fromwhom] [-a argument] ... -d recipient ...
   Or: sluice procmail [-ptY] [-f fromwhom] -m [parameter=value] ... rcfile [argument] ...

A procmail 3.22 compatible local delivery agent: reads one message on stdin and runs it
through the rcfile(s), delivering to mbox, Maildir (dir/), MH (dir/.) and directory folders.

Options:
  --input M  deliver every message of M (mbox, Maildir, MH folder, .eml file or a directory
             of them) in this one process instead of reading one message on stdin; repeatable
  -v         print the version and exit
  -p         preserve (most of) the environment
  -t         fail softly: if delivery fails, exit 75 (EX_TEMPFAIL) so the MTA retries
  -f name    regenerate the From_ line with name as sender (-f- refreshes the date only)
  -o         override fake From_ lines
  -Y         Berkeley format mailbox: disregard Content-Length
  -a arg     set $1, $2, ...
  -d user    explicit delivery mode (MTA local delivery agent)
  -m         generic mail filter mode: rcfile, then its arguments

Exit status: 0 delivered; 73 (EX_CANTCREAT) nothing could be written; 75 with -t or on any
internal error; 67 unknown user (-d).
`;

interface Options {
  preserve: boolean;
  mailfilter: boolean;
  override: boolean;
  berkeley: boolean;
  tempfail: boolean;
  from?: string;
  args: string[];
  deliver?: string[];
  rest: string[];
}

function parseOptions(argv: string[], err: (s: string) => void): Options | number {
  const o: Options = { preserve: false, mailfilter: false, override: false, berkeley: false, tempfail: false, args: [], rest: [] };
  let k = 0;
  outer: for (; k < argv.length; k++) {
    const a = argv[k]!;
    if (!a.startsWith('-')) break;
    for (let j = 1; ; j++) {
      const c = a[j];
      switch (c) {
        case undefined:
          continue outer;
        case 'v':
          process.stderr.write(`${VERSION}\n`);
          return EX_OK;
        case 'h':
        case '?':
          process.stderr.write(HELP);
          return EX_USAGE;
        case 'p': o.preserve = true; continue;
        case 'm': o.mailfilter = true; continue;
        case 'o': o.override = true; continue;
        case 'Y': case 'y': o.berkeley = true; continue;
        case 't': o.tempfail = true; continue;
        case 'f':
        case 'r': {
          const rest = a.slice(j + 1);
          if (rest) o.from = rest;
          else if (k + 1 < argv.length) o.from = argv[++k];
          else err('procmail: Missing name\n');
          continue outer;
        }
        case 'a': {
          const rest = a.slice(j + 1);
          if (rest) o.args.push(rest);
          else if (k + 1 < argv.length) o.args.push(argv[++k]!);
          else err('procmail: Missing argument\n');
          continue outer;
        }
        case 'd': {
          const rest = a.slice(j + 1);
          const users = rest ? [rest, ...argv.slice(k + 1)] : argv.slice(k + 1);
          if (!users.length) {
            err('procmail: Missing recipient\n');
            break outer;
          }
          o.deliver = users;
          return o;
        }
        case '-':
          if (j === 1 && a.length === 2) {
            k++;
            break outer;
          }
        // falls through
        default:
          err(`procmail: Unrecognised options: "${a.slice(j)}"\n`);
          err(HELP.split('\n').slice(0, 3).join('\n') + '\n');
          err('procmail: Processing continued\n');
          continue outer;
      }
    }
  }
  o.rest = argv.slice(k);
  return o;
}

/**
 * `-d user1 user2 ...`: procmail forks one delivery per recipient, each as that user; the exit
 * status is the last failure (0 when all succeeded). We start one `sluice procmail -d user`
 * per recipient the same way (the message is read once and handed to each).
 */
async function deliverToEach(argv: string[], users: string[], io: ProcmailIO, err: (s: string) => void): Promise<number> {
  const at = argv.findIndex((a) => a.startsWith('-d'));
  const before = argv.slice(0, at);
  let status = EX_OK;
  for (const u of users) {
    const r = spawnSync(process.execPath, [process.argv[1]!, 'procmail', ...before, '-d', u], {
      input: io.stdin,
      env: io.env,
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    const code = r.status ?? EX_TEMPFAIL;
    if (r.error) err(`procmail: Couldn't deliver to "${u}": ${r.error.message}\n`);
    if (code !== EX_OK) status = code;
  }
  return status;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    total += b.length;
    if (total > MESSAGE_SIZE_MAX) throw new Error(`message larger than ${MESSAGE_SIZE_MAX} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--help') {
    process.stdout.write(HELP);
    return EX_OK;
  }
  const inputs: string[] = [];
  const rest: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--input' && k + 1 < argv.length) inputs.push(argv[++k]!);
    else rest.push(argv[k]!);
  }
  if (inputs.length) return deliverMailboxes(rest, inputs);
  // procmail: SIGTERM = terminate and let the MTA requeue; HUP/INT likewise (we never bounce)
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.once(sig, () => process.exit(EX_TEMPFAIL));
  return runProcmail(argv, { stdin: await readStdin(), env: process.env });
}

/**
 * `--input MAILBOX...`: every message of mbox files, Maildirs, MH folders or .eml files goes
 * through the same procmail run in this one process (what `formail -s procmail` does with one
 * process per message). The deliveries commit as a group before we report success; the exit
 * status is the worst one (non-zero if any message could not be delivered).
 */
async function deliverMailboxes(argv: string[], inputs: string[]): Promise<number> {
  const { planInputs, forEachMessage } = await import('../mailbox/read.ts');
  const { startBatch, commitBatch } = await import('../deliver/fsio.ts');
  startBatch();
  let worst = EX_OK;
  let count = 0;
  const home = currentHome();
  await forEachMessage(planInputs(inputs), async (m) => {
    const status = await runProcmail(argv, { stdin: m.raw, env: process.env, home });
    count++;
    if (status !== EX_OK) {
      process.stderr.write(`sluice procmail: ${m.source} message ${m.index}: exit ${status}\n`);
      if (worst === EX_OK) worst = status;
    }
  });
  if (!commitBatch()) {
    process.stderr.write('sluice procmail: could not flush the delivered mail to disk\n');
    return EX_TEMPFAIL;
  }
  process.stderr.write(`sluice procmail: ${count} message(s) delivered from ${inputs.length} input(s)\n`);
  return worst;
}

export interface ProcmailIO {
  /** The message. */
  stdin: Buffer;
  /** The caller's environment (only -p keeps it). */
  env: NodeJS.ProcessEnv;
  /**
   * Where the process stands between runs, when a caller that runs many messages already
   * knows it (saves two system calls per message); read from the process otherwise.
   */
  home?: ProcessHome;
}

/** The working directory and umask that runProcmail() restores after each run. */
export interface ProcessHome {
  cwd: string;
  umask: number;
}

export function currentHome(): ProcessHome {
  return { cwd: process.cwd(), umask: processUmask() };
}

/**
 * One procmail run inside this process: what `sluice procmail ARGS < msg` does, for callers
 * that deliver many messages in one process (formail -s procmail, mailbox delivery). The
 * process's working directory and umask are restored afterwards.
 */
export async function runProcmail(argv: string[], io: ProcmailIO): Promise<number> {
  const { cwd, umask } = io.home ?? currentHome();
  const host = new RealHost();
  try {
    return await procmail(argv, io, host);
  } finally {
    host.close();
    try {
      process.chdir(cwd);
    } catch {
      /* the directory went away: stay where we are */
    }
    setProcessUmask(umask);
  }
}

async function procmail(argv: string[], io: ProcmailIO, host: RealHost): Promise<number> {
  const err = (s: string) => host.log(s);
  const parsed = parseOptions(argv, err);
  if (typeof parsed === 'number') return parsed;
  const o = parsed;
  if (o.deliver && (o.preserve || o.mailfilter)) {
    err(`procmail: Conflicting options\n`);
    o.preserve = o.mailfilter = false;
  }
  if (o.mailfilter && o.args.length) {
    err(`procmail: Conflicting options\n`);
    o.args = [];
  }

  const invoker = lookupUser();
  if (o.deliver && o.deliver.length > 1) return deliverToEach(argv, o.deliver, io, err);
  const user = o.deliver ? lookupUser(o.deliver[0]) : invoker;
  if (!user) {
    err(`procmail: Unknown user "${o.deliver![0]}"\n`);
    return EX_NOUSER;
  }
  if (o.deliver) {
    // -d: deliver as the recipient. Root becomes the user for good (procmail's setuid);
    // anyone else may only deliver to themselves.
    const uid = process.getuid?.() ?? 0;
    if (uid === 0 && user.uid !== 0) {
      try {
        (process as { initgroups?: (user: string, group: number) => void }).initgroups?.(user.name, user.gid);
        process.setgid?.(user.gid);
        process.setuid?.(user.uid);
      } catch {
        err('procmail: Insufficient privileges\n');
        return EX_TEMPFAIL;
      }
    } else if (uid !== 0 && uid !== user.uid) {
      err('procmail: Insufficient privileges\n');
      return EX_NOPERM;
    }
  }

  // arguments: VAR=value assignments and rcfiles (with -m: the rcfile, then its arguments)
  const assignments: string[] = [];
  const rcNames: string[] = [];
  let args = o.args;
  if (!o.deliver) {
    for (let k = 0; k < o.rest.length; k++) {
      const a = o.rest[k]!;
      if (a.includes('=') && !(o.mailfilter && rcNames.length)) {
        assignments.push(a);
        continue;
      }
      rcNames.push(a);
      if (o.mailfilter) {
        args = o.rest.slice(k + 1);
        break;
      }
    }
  }
  if (o.mailfilter && !rcNames.length) {
    err('procmail: Missing rcfile\n');
    return 66;
  }

  const env = startEnvironment({
    user, hostname: host.hostname(), callerEnv: io.env,
    preserve: o.preserve, mailfilter: o.mailfilter, commandLineRc: rcNames.length > 0,
  });
  const raw = io.stdin;
  const msg = readMessage(raw, {
    fromSender: o.from,
    override: o.override,
    berkeley: o.berkeley,
    generateFrom: o.deliver ? (invoker?.name ?? String(process.getuid?.() ?? 0)) : undefined,
    invoker: invoker?.name,
    now: host.now(),
  });

  let rcfiles: RcSpec[];
  if (rcNames.length) {
    rcfiles = rcNames.map((p) => ({
      path: p,
      kind: p.startsWith('/') ? 'absolute' : p.startsWith('./') ? 'current' : o.mailfilter ? 'current' : 'absolute',
    }));
  } else {
    rcfiles = [{ path: '.procmailrc', kind: 'default' }];
  }
  const engine = new Engine({
    fx: host,
    mail: msg,
    berkeley: o.berkeley,
    env,
    args,
    argv0: 'procmail',
    tempfail: o.tempfail,
    assignments,
    rcfiles,
    mailfilter: o.mailfilter,
    // procmail reads /etc/procmailrc first only when it picks the rcfile itself (and not with -p)
    etcrc: !rcNames.length && !o.preserve && existsSync(ETCRC) ? ETCRC : undefined,
    defaultMaildir: o.mailfilter ? host.cwd() : user.home,
  });
  const res = await engine.run();
  return res.exitCode === undefined ? EX_TEMPFAIL : res.exitCode;
}
