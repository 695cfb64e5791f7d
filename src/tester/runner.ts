// Runs messages through the real engine with the dry-run host: one fresh Engine and a fresh
// copy of the starting environment per message, like one `sluice procmail` process per
// message (what `formail -s procmail` does), with the folder state of the earlier messages
// carried over in the host's VirtualTree.
import { Engine, type RcSpec } from '../engine/engine.ts';
import type { Environment } from '../engine/vars.ts';
import { getField, readMessage } from '../message/index.ts';
import { EX_TEMPFAIL } from '../sysexits.ts';
import { processIdentity, type Identity } from './access.ts';
import { lookupUser, startEnvironment } from './environment.ts';
import { DryRunHost } from './host.ts';
import type { MailSource } from '../mailbox/read.ts';
import type { MessageResult } from './model.ts';
import { TraceRecorder } from './recorder.ts';

export interface DryRunOptions {
  /** rcfiles as procmail takes them: absolute, `./relative` to the current directory, else relative to HOME. */
  rcfiles: string[];
  /** VAR=value assignments (procmail's command line). */
  assignments?: string[];
  /** Positional arguments $1... (-a). */
  args?: string[];
  /** Whose HOME, LOGNAME and default mailbox (default: the invoking user's passwd entry). */
  user?: { name: string; home: string };
  /** Whose permissions decide whether folders could be written (default: this process's). */
  identity?: Identity;
  /** -Y, -f, -o, -t, -p, -m as for `sluice procmail`. */
  berkeley?: boolean;
  fromSender?: string;
  override?: boolean;
  tempfail?: boolean;
  preserve?: boolean;
  mailfilter?: boolean;
  /** The caller's environment (-p keeps it; TZ always). Default: process.env. */
  callerEnv?: Record<string, string | undefined>;
  /** Run conditions, filters, captures and backticks for real, with this directory as their cwd. */
  sandbox?: string;
  hostname?: string;
  now?: () => Date;
  /** The directory `sluice procmail` would be started in (default: process.cwd()). */
  cwd?: string;
  /** The system mail spool (default /var/mail): DEFAULT and ORGMAIL are $spool/$LOGNAME. */
  spoolDir?: string;
}

function rcSpecs(names: string[], mailfilter: boolean): RcSpec[] {
  if (!names.length) return [{ path: '.procmailrc', kind: 'default' }];
  return names.map((p) => ({
    path: p,
    kind: p.startsWith('/') ? 'absolute' : p.startsWith('./') || mailfilter ? 'current' : 'absolute',
  }));
}

/** A header field as one line of text (latin1), for the reports. */
function field(head: Buffer, name: string): string | undefined {
  const v = getField(head, name);
  if (v === undefined) return undefined;
  return v.toString('latin1').replace(/\s+/g, ' ').trim();
}

export class DryRun {
  readonly host: DryRunHost;
  private readonly baseEnv: Environment;
  private readonly startCwd: string;
  private readonly home: string;
  private readonly invoker: string;
  private count = 0;

  constructor(private readonly opts: DryRunOptions) {
    const user = opts.user ?? lookupUser() ?? { name: 'nobody', home: '/' };
    this.home = user.home;
    this.invoker = user.name;
    this.startCwd = opts.cwd ?? process.cwd();
    this.host = new DryRunHost({
      identity: opts.identity ?? processIdentity(),
      sandbox: opts.sandbox,
      hostname: opts.hostname,
      now: opts.now,
    });
    this.baseEnv = startEnvironment({
      preserve: !!opts.preserve,
      mailfilter: !!opts.mailfilter,
      commandLineRc: opts.rcfiles.length > 0,
      user,
      hostname: this.host.hostname(),
      callerEnv: opts.callerEnv ?? process.env,
      spoolDir: opts.spoolDir,
    });
  }

  /** Ends the run: removes the scratch copies of formail -D caches. */
  close(): void {
    this.host.close();
  }

  /** One message, as `sluice procmail [options] [VAR=value...] RCFILE <message` would handle it. */
  async runMessage(src: MailSource): Promise<MessageResult> {
    const o = this.opts;
    const rec = new TraceRecorder(this.host, this.startCwd);
    const msg = readMessage(src.raw, {
      fromSender: o.fromSender,
      override: o.override,
      berkeley: o.berkeley,
      invoker: this.invoker,
      now: this.host.now(),
    });
    const engine = new Engine({
      fx: this.host,
      trace: rec,
      mail: msg,
      berkeley: !!o.berkeley,
      env: this.baseEnv.clone(),
      args: o.args ?? [],
      argv0: 'procmail',
      tempfail: !!o.tempfail,
      assignments: o.assignments ?? [],
      rcfiles: rcSpecs(o.rcfiles, !!o.mailfilter),
      mailfilter: !!o.mailfilter,
      defaultMaildir: o.mailfilter ? this.startCwd : this.home,
    });
    let exitCode: number;
    try {
      exitCode = (await engine.run()).exitCode;
    } catch (err) {
      // what `sluice procmail` does with an internal failure: the MTA retries
      rec.effects.log.push(`sluice: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      exitCode = EX_TEMPFAIL;
    }
    const variables = Object.fromEntries(rec.variables);
    if (rec.lastMatch !== undefined) variables.MATCH = rec.lastMatch;
    const e = rec.effects;
    const head = msg.head;
    return {
      n: ++this.count,
      source: src.source,
      index: src.index,
      messageId: field(head, 'Message-ID'),
      from: field(head, 'From'),
      subject: field(head, 'Subject'),
      size: src.raw.length,
      exitCode,
      deliveries: e.deliveries,
      programs: e.programs,
      recipes: rec.recipes,
      variables,
      log: e.log.join(''),
      trace: e.trace,
    };
  }
}
