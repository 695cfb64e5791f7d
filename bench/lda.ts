// Section "lda" (issue 3): procmail as a local delivery agent, one message per process.
//   (a) `procmail -m rc < msg` vs `sluice procmail -m rc < msg`, once per generated message,
//       run in blocks that alternate between the two; both must file the same messages into
//       the same folders
//   (b) the engine in one process (runProcmail in a loop, no process start) vs (a)'s procmail
//   (c) what one process start costs: `node -e 0` vs `sluice procmail` on an empty rc
import * as fs from 'node:fs';
import { join } from 'node:path';
import { SLUICE, sq, type Context } from './context.ts';
import { checkDelivered, folderCounts, formatCounts, generatedMessages, ldaTarget, resetDir, total } from './fixtures.ts';
import { buildInProcess } from './inproc-build.ts';
import { ratioOf, type Row, type SectionResult } from './report.ts';
import { interleave, median, sum, timeShell } from './timing.ts';

const PROCMAIL = '/usr/bin/procmail';

/** A sh loop running `command < FILE` for every FILE in "$@", stopping at the first failure. */
const perMessageLoop = (command: string): string => `for f in "$@"; do ${command} < "$f" || exit $?; done`;

/** A sh loop running `command` `times` times (no external `seq`, so the loop itself costs ~nothing). */
const repeatLoop = (command: string, times: number): string =>
  `i=0; while [ $i -lt ${times} ]; do ${command} || exit $?; i=$((i+1)); done`;

function chunks<T>(xs: readonly T[], parts: number): T[][] {
  const size = Math.ceil(xs.length / parts);
  const out: T[][] = [];
  for (let k = 0; k < xs.length; k += size) out.push(xs.slice(k, k + size));
  return out;
}

export async function ldaSection(ctx: Context): Promise<SectionResult> {
  const { sizes, log } = ctx;
  const n = sizes.messages;
  const dir = join(ctx.dir, 'lda');
  const msgs = generatedMessages(ctx.dir, n);
  const peerT = ldaTarget(dir, 'procmail');
  const sluiceT = ldaTarget(dir, 'sluice');
  resetDir(peerT.out);
  resetDir(sluiceT.out);

  // (a) a process per message, the two tools alternating block by block
  const blocks = chunks(msgs.files, sizes.ldaBlocks);
  const peerCmd = `${PROCMAIL} -m ${sq(peerT.rc)}`;
  const sluiceCmd = `${sq(SLUICE)} procmail -m ${sq(sluiceT.rc)}`;
  const peerTimes: number[] = [];
  const sluiceTimes: number[] = [];
  for (const [k, block] of blocks.entries()) {
    const runs: Array<[string, number[]]> = [[peerCmd, peerTimes], [sluiceCmd, sluiceTimes]];
    if (k % 2) runs.reverse();
    for (const [cmd, times] of runs) {
      const r = await timeShell({ script: perMessageLoop(cmd), args: block, env: ctx.env });
      times.push(r.seconds);
    }
    log(`  lda (a) block ${k + 1}/${blocks.length}: procmail ${peerTimes[k]!.toFixed(2)} s, sluice ${sluiceTimes[k]!.toFixed(2)} s (${block.length} msgs)`);
  }
  const peerCounts = folderCounts(peerT.out);
  const sluiceCounts = folderCounts(sluiceT.out);
  checkDelivered('procmail, process per message', peerCounts, n);
  checkDelivered('sluice procmail, process per message', sluiceCounts, n, peerCounts);
  const blockNote = (times: number[]) =>
    `${((sum(times) / n) * 1000).toFixed(1)} ms per message; ${blocks.length} blocks of ${blocks[0]!.length}, alternating; runs = block times, median s = their sum`;
  const peerRow: Row = { what: 'procmail -m rc < msg, per message', command: peerCmd, seconds: sum(peerTimes), work: n, unit: 'msg', runs: peerTimes, note: blockNote(peerTimes) };
  const sluiceRow: Row = { what: 'sluice procmail -m rc < msg, per message', command: sluiceCmd, seconds: sum(sluiceTimes), work: n, unit: 'msg', runs: sluiceTimes, note: blockNote(sluiceTimes) };

  // (b) the engine in one process: runProcmail in a loop, timed inside the loop
  const inproc = await buildInProcess(ctx.dir);
  const loopT = ldaTarget(dir, 'inproc');
  const loopOut = join(dir, 'inproc.json');
  const loopTimes = await interleave(
    [
      {
        name: 'inproc',
        prepare: () => resetDir(loopT.out),
        run: async () => {
          await timeShell({
            script: `exec ${sq(process.execPath)} ${sq(inproc.script)} loop ${sq(loopT.rc)} ${sq(msgs.dir)}`,
            env: { ...ctx.env, ...inproc.env },
            stdout: loopOut,
          });
          const r = JSON.parse(fs.readFileSync(loopOut, 'utf8')) as { messages: number; seconds: number; failed: number };
          if (r.messages !== n || r.failed) throw new Error(`in-process loop: ${r.messages} messages, ${r.failed} failed`);
          return r.seconds;
        },
        verify: () => checkDelivered('runProcmail loop', folderCounts(loopT.out), n, peerCounts),
      },
    ],
    sizes.inProcessRounds,
    (_, round, s) => log(`  lda (b) in-process round ${round}: ${s.toFixed(2)} s`),
  );
  const loopRuns = loopTimes.get('inproc')!;
  const loopRow: Row = {
    what: 'engine in-process (runProcmail loop)',
    command: `node inproc.mjs loop rc DIR (bench/inproc.ts)`,
    seconds: median(loopRuns),
    work: n,
    unit: 'msg',
    runs: loopRuns,
    note: 'timed around the loop: no process start, no module loading',
  };

  // (c) start-up: node itself vs sluice procmail doing the least possible work
  const emptyRc = join(dir, 'empty.rc');
  fs.writeFileSync(emptyRc, ':0\n/dev/null\n');
  const oneMsg = msgs.files[Math.min(5, n - 1)]!;
  const k = sizes.startsPerRound;
  const startCmds = {
    node: `${sq(process.execPath)} -e 0`,
    sluice: `${sq(SLUICE)} procmail -m ${sq(emptyRc)} < ${sq(oneMsg)}`,
    procmail: `${PROCMAIL} -m ${sq(emptyRc)} < ${sq(oneMsg)}`,
  };
  const startTimes = await interleave(
    Object.entries(startCmds).map(([name, cmd]) => ({
      name,
      run: async () => (await timeShell({ script: repeatLoop(cmd, k), env: ctx.env })).seconds,
    })),
    sizes.startRounds,
    (name, round, s) => log(`  lda (c) round ${round} ${name}: ${((s / k) * 1000).toFixed(1)} ms/start`),
  );
  const startRow = (what: string, name: keyof typeof startCmds): Row => {
    const runs = startTimes.get(name)!;
    return { what, command: startCmds[name], seconds: median(runs), work: k, unit: 'start', runs, note: `${((median(runs) / k) * 1000).toFixed(1)} ms per start` };
  };
  const nodeRow = startRow('node -e 0', 'node');
  const sluiceStartRow = startRow('sluice procmail, empty rc (:0 /dev/null)', 'sluice');
  const procmailStartRow = startRow('procmail, empty rc (:0 /dev/null)', 'procmail');

  return {
    name: 'lda',
    title: `1. procmail LDA (issue 3): ${n} generated 5 KB messages, 10-recipe rc of baselines §(c)`,
    rows: [peerRow, sluiceRow, loopRow, nodeRow, sluiceStartRow, procmailStartRow],
    ratios: [
      ratioOf('lda', '(a) sluice procmail vs procmail, process per message', sluiceRow, peerRow),
      ratioOf('lda', '(b) engine in-process vs procmail per message', loopRow, peerRow),
      ratioOf('lda', '(c) start-up: sluice procmail (empty rc) vs node -e 0', sluiceStartRow, nodeRow, {
        min: 1 / 1.5,
        text: 'start-up time <= 1.5x node -e 0, i.e. ratio >= 0.67',
      }),
      ratioOf('lda', '(c) start-up: sluice procmail vs procmail (empty rc)', sluiceStartRow, procmailStartRow),
    ],
    facts: {
      deliveries: { procmail: peerCounts, sluice: sluiceCounts, inProcess: folderCounts(loopT.out) },
      deliveriesText: formatCounts(peerCounts),
      delivered: total(peerCounts),
    },
  };
}
