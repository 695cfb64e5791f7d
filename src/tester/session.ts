// One `sluice test` run: every message of the inputs through the dry run (and, with --diff,
// through the old rcfile or against a saved run), the report for each, the folder table.
// testMailbox() is the same loop without output, for `npm run bench`.
import { explain, briefLine, folderTable, type ReportOptions } from './report.ts';
import { messageJson, messageKey, sameDestinations, summaryJson } from './json.ts';
import { forEachMessage, forEachStdinMessage, planInputs, type InputFile, type MailSource } from '../mailbox/read.ts';
import type { MessageResult } from './model.ts';
import { Progress, type ProgressSink } from './progress.ts';
import { DryRun, type DryRunOptions } from './runner.ts';
import { destinations, FolderTally, tildify } from './summary.ts';
import { show } from './report.ts';

export type OutputFormat = 'explain' | 'brief' | 'summary' | 'json';

/** What to compare with: the same messages through another rcfile, or a saved --json run. */
export type DiffBase =
  | { kind: 'rc'; rcfiles: string[] }
  | { kind: 'saved'; runs: Map<string, string[]> };

export interface SessionOptions {
  dryRun: DryRunOptions;
  inputs: string[];
  /** Read one message (or an mbox) from here instead of files (`-` or no INPUT). */
  stdin?: Buffer;
  format: OutputFormat;
  report: ReportOptions;
  diff?: DiffBase;
  write: (text: string) => void;
  progress?: ProgressSink;
  /** Where split warnings of mbox files go. */
  warn?: (text: string) => void;
}

export interface SessionResult {
  tally: FolderTally;
  /** Messages whose destinations differ from the diff base. */
  changed: number;
  seconds: number;
}

async function eachMessage(o: SessionOptions, files: InputFile[], fn: (m: MailSource, done: number) => Promise<void>): Promise<void> {
  if (o.stdin) return forEachStdinMessage(o.stdin, fn, o.warn);
  return forEachMessage(files, fn, o.warn);
}

function diffLines(r: MessageResult, before: string[], after: string[], o: ReportOptions): string {
  const st = o.style;
  const where = r.index > 1 || /\.(mbox|mbx)$/i.test(r.source) ? `${r.source}#${r.index}` : r.source;
  const subject = r.subject !== undefined ? `  ${st.dim(show(r.subject).slice(0, 60))}` : '';
  const list = (d: string[]) => tildify(show(d.join(', ')), o.home);
  return `${st.bold(`#${r.n}`)} ${show(where)}${subject}\n  ${st.bad('- ' + list(before))}\n  ${st.ok('+ ' + list(after))}\n`;
}

export async function runSession(o: SessionOptions): Promise<SessionResult> {
  const started = Date.now();
  const files = o.stdin ? [] : planInputs(o.inputs);
  const total = o.stdin ? o.stdin.length : files.reduce((n, f) => n + f.size, 0);
  const progress = o.progress ? new Progress(o.progress, total) : null;
  const run = new DryRun(o.dryRun);
  const old = o.diff?.kind === 'rc' ? new DryRun({ ...o.dryRun, rcfiles: o.diff.rcfiles }) : null;
  const tally = new FolderTally();
  let changed = 0;

  try {
    await eachMessage(o, files, async (m, done) => {
      const r = await run.runMessage(m);
      tally.add(r);
      let before: string[] | undefined;
      if (old) before = destinations(await old.runMessage(m));
      else if (o.diff?.kind === 'saved') before = o.diff.runs.get(messageKey(r)) ?? ['(not in the saved run)'];
      const after = destinations(r);
      const differs = before !== undefined && !sameDestinations(before, after);
      if (differs) changed++;
      switch (o.format) {
        case 'json':
          o.write(JSON.stringify(messageJson(r, before)) + '\n');
          break;
        case 'summary':
          break;
        case 'brief':
          if (!o.diff) o.write(briefLine(r, o.report));
          else if (differs) o.write(diffLines(r, before!, after, o.report));
          break;
        default:
          if (!o.diff) o.write(explain(r, o.report) + '\n');
          else if (differs) o.write(explain(r, o.report) + diffLines(r, before!, after, o.report) + '\n');
      }
      progress?.update(tally.messages, done + m.raw.length);
    });
  } finally {
    run.close();
    old?.close();
  }
  progress?.done();
  const seconds = (Date.now() - started) / 1000;
  if (o.format === 'json') {
    o.write(JSON.stringify(summaryJson(tally, seconds, o.diff ? changed : undefined)) + '\n');
  } else {
    const rate = seconds > 0 ? `${Math.round(tally.messages / seconds)} messages/s` : '';
    const diffNote = o.diff ? `${changed} would go somewhere else` : '';
    o.write(folderTable(tally, o.report, [diffNote, rate].filter(Boolean).join(', ')));
  }
  return { tally, changed, seconds };
}

export interface MailboxTiming {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Messages per destination (see summary.ts destinations()). */
  counts: Record<string, number>;
}

/**
 * The dry run over mailboxes in one process, without output: for `npm run bench`
 * (`sluice test` over the 7126-message corpus mbox with a 10-recipe rc).
 */
export async function testMailbox(rcfile: string, inputs: string[], opts: Partial<DryRunOptions> = {}): Promise<MailboxTiming> {
  const started = process.hrtime.bigint();
  const run = new DryRun({ ...opts, rcfiles: [rcfile] });
  const tally = new FolderTally();
  try {
    await forEachMessage(planInputs(inputs), async (m) => {
      tally.add(await run.runMessage(m));
    });
  } finally {
    run.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    messages: tally.messages,
    seconds,
    messagesPerSecond: tally.messages / Math.max(seconds, 1e-9),
    counts: Object.fromEntries(tally.rows().map((r) => [r.destination, r.count])),
  };
}
