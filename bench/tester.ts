// Section "test" (issue 5): `sluice test --rc RC MBOX` (dry run: where would each message of
// the linux-mips corpus go) against the real thing, `formail -s procmail -m RC < MBOX`
// delivering the same corpus. The dry run must account for every message, and its table
// of folders is compared with what procmail really filed.
import * as fs from 'node:fs';
import { basename, join } from 'node:path';
import { SLUICE, sq, type Context } from './context.ts';
import { checkDelivered, corpus, folderCounts, formatCounts, ldaTarget, resetDir, sameCounts } from './fixtures.ts';
import { ratioOf, type Row, type SectionResult } from './report.ts';
import { interleave, median, timeShell } from './timing.ts';

export interface TestSummary {
  messages: number;
  notDelivered: number;
  /** Messages per folder, by the folder's last path component (as folderCounts names them). */
  folders: Record<string, number>;
}

/**
 * Reads `sluice test --summary` output: a table `COUNT  TYPE  FOLDER` and the line
 * `N messages, M not delivered, ...`. Null when the total line is missing.
 */
export function parseTestSummary(text: string): TestSummary | null {
  const totals = /^(\d+) messages?, (\d+) not delivered/m.exec(text);
  if (!totals) return null;
  const folders: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (/^\d+ messages?, /.test(line)) continue;
    const m = /^\s*(\d+)\s+([a-z][\w-]*)\s+(\S.*?)\s*$/.exec(line);
    if (!m) continue;
    const name = basename(m[3]!.replace(/\/+\.?$/, ''));
    folders[name] = (folders[name] ?? 0) + Number(m[1]);
  }
  return { messages: Number(totals[1]), notDelivered: Number(totals[2]), folders };
}

async function sluiceTestAvailable(ctx: Context): Promise<boolean> {
  try {
    await timeShell({ script: `${sq(SLUICE)} test --help`, env: ctx.env });
    return true;
  } catch {
    return false;
  }
}

export async function testerSection(ctx: Context): Promise<SectionResult> {
  const { sizes, log } = ctx;
  const c = corpus(ctx.dir, sizes.corpusMessages);
  const title = `3. sluice test (issue 5): dry run over the ${c.messages}-message linux-mips corpus (${(c.bytes / 1e6).toFixed(1)} MB) vs real delivery`;
  if (!(await sluiceTestAvailable(ctx))) {
    return { name: 'test', title, skipped: '`sluice test` is not there yet (bin/sluice test --help fails): rebuild once src/cli/test.ts exists', rows: [], ratios: [], facts: {} };
  }
  const dir = join(ctx.dir, 'test');
  const t = ldaTarget(dir, 'formail-procmail');
  const report = join(dir, 'sluice-test.txt');
  const peerCmd = `/usr/bin/formail -s procmail -m ${sq(t.rc)}`;
  // the same rc: the dry run names the folders the real run fills
  const sluiceCmd = `${sq(SLUICE)} test --rc ${sq(t.rc)} --summary --no-progress --color never ${sq(c.path)}`;
  let peerCounts: Record<string, number> | undefined;
  let summary: TestSummary | null = null;
  const times = await interleave(
    [
      {
        name: 'peer',
        prepare: () => resetDir(t.out),
        run: async () => (await timeShell({ script: peerCmd, stdin: c.path, env: ctx.env })).seconds,
        verify: () => {
          const got = folderCounts(t.out);
          checkDelivered('formail -s procmail', got, c.messages, peerCounts);
          peerCounts = got;
        },
      },
      {
        name: 'sluice',
        run: async () => (await timeShell({ script: sluiceCmd, stdout: report, env: ctx.env })).seconds,
        verify: () => {
          const text = fs.readFileSync(report, 'latin1');
          summary = parseTestSummary(text);
          if (!summary) throw new Error(`sluice test: no "N messages, M not delivered" line in its output:\n${text.slice(-500)}`);
          if (summary.messages !== c.messages) throw new Error(`sluice test: saw ${summary.messages} messages, the corpus has ${c.messages}`);
        },
      },
    ],
    sizes.testRounds,
    (name, round, s) => log(`  test round ${round} ${name}: ${s.toFixed(2)} s`),
  );
  const dry = summary as TestSummary | null;
  const agrees = dry !== null && peerCounts !== undefined && sameCounts(dry.folders, peerCounts);
  if (!agrees) {
    log(`  WARNING: sluice test's folders differ from the real delivery\n    dry run: ${formatCounts(dry?.folders ?? {})}\n    procmail: ${formatCounts(peerCounts ?? {})}`);
  }
  const row = (what: string, command: string, runs: number[]): Row => ({ what, command, seconds: median(runs), work: c.messages, unit: 'msg', runs });
  const peerRow = row('formail -s procmail -m rc < corpus (delivers)', peerCmd, times.get('peer')!);
  const sluiceRow = row('sluice test --rc rc --summary corpus (dry run)', sluiceCmd, times.get('sluice')!);
  return {
    name: 'test',
    title,
    rows: [peerRow, sluiceRow],
    ratios: [ratioOf('test', 'sluice test (dry run) vs formail -s procmail (real delivery)', sluiceRow, peerRow)],
    facts: {
      deliveries: peerCounts ?? {},
      deliveriesText: formatCounts(peerCounts ?? {}),
      dryRunFolders: dry?.folders ?? {},
      dryRunAgreesWithDelivery: agrees,
      notDelivered: dry?.notDelivered,
    },
  };
}
