// Section "mailbox" (issue 4): a whole mbox in one process.
//   delivery  `formail -s procmail -m rc < mbox` (C, a procmail process per message) vs
//             `sluice formail -s procmail -m rc < mbox` (procmail runs inside sluice's
//             formail). When the CLI does not do that yet (probed: with PATH emptied it
//             can only deliver if it runs procmail itself), bench/inproc.ts does the same
//             with runFormail + runProcmail in one process, and the row says so.
//   split     `formail -s < corpus` (concatenates the split messages) and `formail -s cat`
//             (a cat per message) on the 24 MB linux-mips corpus, C vs sluice; every output
//             must be byte-identical to C formail's.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { SLUICE, sq, type Context } from './context.ts';
import { checkDelivered, corpus, folderCounts, formatCounts, generatedMessages, ldaTarget, resetDir, setAsideDir } from './fixtures.ts';
import { buildInProcess } from './inproc-build.ts';
import { ratioOf, type Row, type SectionResult } from './report.ts';
import { interleave, median, timeShell, type Variant } from './timing.ts';

const FORMAIL = '/usr/bin/formail';

/**
 * Does `sluice formail -s procmail` deliver without a procmail program to run? With PATH
 * pointing nowhere (and an empty working directory for formail's /bin/sh fallback) only an
 * in-process procmail can file the 3 probe messages.
 */
export async function sluiceFormailRunsProcmailInProcess(ctx: Context): Promise<boolean> {
  const dir = join(ctx.dir, 'probe');
  const t = ldaTarget(dir, 'probe');
  resetDir(t.out);
  const empty = join(dir, 'empty-cwd');
  resetDir(empty);
  const mbox = corpus(ctx.dir, 3);
  try {
    await timeShell({
      script: `${sq(SLUICE)} formail -s procmail -m ${sq(t.rc)}`,
      cwd: empty,
      env: { ...ctx.env, PATH: '/nonexistent' },
      stdin: mbox.path,
    });
  } catch {
    return false;
  }
  return Object.values(folderCounts(t.out)).reduce((a, b) => a + b, 0) === mbox.messages;
}

function sha256(path: string): string {
  return createHash('sha256').update(fs.readFileSync(path)).digest('hex');
}

export async function mailboxSection(ctx: Context): Promise<SectionResult> {
  const { sizes, log } = ctx;
  const n = sizes.messages;
  const dir = join(ctx.dir, 'mailbox');
  const msgs = generatedMessages(ctx.dir, n);
  const peerT = ldaTarget(dir, 'formail-procmail');
  const sluiceT = ldaTarget(dir, 'sluice');

  const cliInProcess = await sluiceFormailRunsProcmailInProcess(ctx);
  let sluiceCmd: string;
  let sluiceWhat: string;
  let sluiceEnv = ctx.env;
  if (cliInProcess) {
    sluiceCmd = `${sq(SLUICE)} formail -s procmail -m ${sq(sluiceT.rc)}`;
    sluiceWhat = 'sluice formail -s procmail -m rc (one process)';
  } else {
    const inproc = await buildInProcess(ctx.dir);
    sluiceCmd = `exec ${sq(process.execPath)} ${sq(inproc.script)} formail -s procmail -m ${sq(sluiceT.rc)}`;
    sluiceWhat = 'runFormail + runProcmail in one process (fallback)';
    sluiceEnv = { ...ctx.env, ...inproc.env };
    log('  mailbox: `sluice formail -s procmail` does not run procmail in-process yet: timing the fallback (bench/inproc.ts)');
  }
  // formail finds procmail through PATH, which starts with /usr/bin (run.ts)
  const peerCmd = `${FORMAIL} -s procmail -m ${sq(peerT.rc)}`;
  let peerCounts: Record<string, number> | undefined;
  const delivery = await interleave(
    [
      {
        name: 'peer',
        prepare: () => setAsideDir(peerT.out),
        run: async () => (await timeShell({ script: peerCmd, stdin: msgs.mbox, env: ctx.env })).seconds,
        verify: () => {
          const got = folderCounts(peerT.out);
          checkDelivered('formail -s procmail', got, n, peerCounts);
          peerCounts = got;
        },
      },
      {
        name: 'sluice',
        prepare: () => setAsideDir(sluiceT.out),
        run: async () => (await timeShell({ script: sluiceCmd, stdin: msgs.mbox, env: sluiceEnv })).seconds,
        verify: () => checkDelivered(sluiceWhat, folderCounts(sluiceT.out), n, peerCounts),
      },
    ],
    sizes.mailboxRounds,
    (name, round, s) => log(`  mailbox delivery round ${round} ${name}: ${s.toFixed(2)} s`),
  );
  const row = (what: string, command: string, runs: number[], work: number, note?: string): Row => ({
    what,
    command,
    seconds: median(runs),
    work,
    unit: 'msg',
    runs,
    ...(note ? { note } : {}),
  });
  const peerRow = row('formail -s procmail -m rc', peerCmd, delivery.get('peer')!, n);
  const sluiceRow = row(sluiceWhat, sluiceCmd, delivery.get('sluice')!, n, cliInProcess ? undefined : 'bin/sluice formail spawns procmail per message; bench/inproc.ts stands in');

  // splitting the real-world corpus
  const c = corpus(ctx.dir, sizes.corpusMessages);
  const splitVariants = (label: string, args: string): { variants: Variant[]; commands: Record<string, string> } => {
    const out = { peer: join(dir, `split${label}-formail.out`), sluice: join(dir, `split${label}-sluice.out`) };
    const commands = { peer: `${FORMAIL} ${args}`, sluice: `${sq(SLUICE)} formail ${args}` };
    let reference: string | undefined;
    const variants: Variant[] = (['peer', 'sluice'] as const).map((name) => ({
      name,
      run: async () => (await timeShell({ script: commands[name], stdin: c.path, stdout: out[name], env: ctx.env })).seconds,
      verify: () => {
        const size = fs.statSync(out[name]).size;
        if (size < c.bytes) throw new Error(`${commands[name]}: ${size} bytes of output for ${c.bytes} bytes of mbox`);
        const h = sha256(out[name]);
        if (reference !== undefined && h !== reference) throw new Error(`${commands[name]}: output differs from C formail's`);
        if (name === 'peer') reference = h;
      },
    }));
    return { variants, commands };
  };
  const plain = splitVariants('', '-s');
  const plainTimes = await interleave(plain.variants, sizes.splitRounds, (name, round, s) => log(`  mailbox split round ${round} ${name}: ${s.toFixed(2)} s`));
  const cat = splitVariants('-cat', '-s cat');
  const catTimes = await interleave(cat.variants, sizes.catRounds, (name, round, s) => log(`  mailbox split -s cat round ${round} ${name}: ${s.toFixed(2)} s`));
  const mb = (c.bytes / 1e6).toFixed(1);
  const splitPeer = row('formail -s < corpus', plain.commands.peer, plainTimes.get('peer')!, c.messages, `${mb} MB`);
  const splitSluice = row('sluice formail -s < corpus', plain.commands.sluice, plainTimes.get('sluice')!, c.messages, `${mb} MB`);
  const catPeer = row('formail -s cat < corpus', cat.commands.peer, catTimes.get('peer')!, c.messages, 'a cat process per message');
  const catSluice = row('sluice formail -s cat < corpus', cat.commands.sluice, catTimes.get('sluice')!, c.messages, 'a cat process per message');

  const within2x = { min: 0.5, text: 'within 2x of C formail, i.e. ratio >= 0.5' };
  return {
    name: 'mailbox',
    title: `2. mailbox in one process (issue 4): ${n}-message generated mbox; split of the ${c.messages}-message linux-mips corpus (${mb} MB)`,
    rows: [peerRow, sluiceRow, splitPeer, splitSluice, catPeer, catSluice],
    ratios: [
      ratioOf('mailbox', `delivery: ${cliInProcess ? 'sluice formail -s procmail' : 'one-process fallback'} vs formail -s procmail`, sluiceRow, peerRow, {
        min: 5,
        text: '>= 5x',
      }),
      ratioOf('mailbox', 'split: sluice formail -s vs formail -s', splitSluice, splitPeer, within2x),
      ratioOf('mailbox', 'split: sluice formail -s cat vs formail -s cat', catSluice, catPeer, within2x),
    ],
    facts: {
      sluiceFormailInProcess: cliInProcess,
      deliveries: peerCounts ?? {},
      deliveriesText: formatCounts(peerCounts ?? {}),
      corpus: { path: c.path, messages: c.messages, bytes: c.bytes },
    },
  };
}
