// `npm run bench [-- --quick] [-- SECTION...]`: sluice side by side with the real tools it
// replaces, in the same run, reported as ratios (sluice throughput / peer throughput).
// Tables go to stdout, progress to stderr, everything to $BENCH_DIR/results.json.
// docs/benchmarks.md says what each line means.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { FULL, QUICK, REPO, SLUICE, type Context } from './context.ts';
import { emptyTrash } from './fixtures.ts';
import { ldaSection } from './lda.ts';
import { lmtpSection } from './lmtp.ts';
import { mailboxSection } from './mailbox.ts';
import { sectionTable, summaryTable, type SectionResult } from './report.ts';
import { testerSection } from './tester.ts';

const SECTIONS: Record<string, (ctx: Context) => Promise<SectionResult>> = {
  lda: ldaSection,
  mailbox: mailboxSection,
  test: testerSection,
  lmtp: lmtpSection,
};

const USAGE = `usage: npm run bench [-- [--quick] [--no-build] [SECTION...]]
  SECTION: ${Object.keys(SECTIONS).join(', ')} (default: all)
  --quick     smaller runs (200 messages, fewer rounds): a few minutes instead of ~10
  --no-build  use dist/ as it is (default: npm run build first)
  env BENCH_DIR (default /tmp/sluice-bench): messages, mail folders, results.json
`;

export interface Args {
  quick: boolean;
  build: boolean;
  sections: string[];
}

export function parseArgs(argv: readonly string[]): Args | string {
  const a: Args = { quick: false, build: true, sections: [] };
  for (const x of argv) {
    if (x === '--quick') a.quick = true;
    else if (x === '--no-build') a.build = false;
    else if (x === '--help' || x === '-h') return USAGE;
    else if (x in SECTIONS) a.sections.push(x);
    else return `unknown argument "${x}"\n${USAGE}`;
  }
  if (!a.sections.length) a.sections = Object.keys(SECTIONS);
  return a;
}

function versions(): Record<string, string> {
  const dpkg = (pkg: string): string => {
    try {
      return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
    } catch {
      return 'unknown';
    }
  };
  return { node: process.version, procmail: dpkg('procmail'), dovecot: dpkg('dovecot-core'), postfix: dpkg('postfix') };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(args);
    return args === USAGE ? 0 : 64;
  }
  const dir = process.env.BENCH_DIR ?? '/tmp/sluice-bench';
  fs.mkdirSync(dir, { recursive: true });
  const log = (line: string): void => void process.stderr.write(line + '\n');
  if (args.build) {
    log('building sluice (npm run build)...');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
  }
  if (!fs.existsSync(join(REPO, 'dist', 'sluice.mjs'))) throw new Error(`no dist/sluice.mjs: run npm run build`);
  const ctx: Context = {
    dir,
    quick: args.quick,
    sizes: args.quick ? QUICK : FULL,
    log,
    // the C tools from /usr/bin first; sluice and `node -e 0` run this very node binary
    env: { ...process.env, PATH: `/usr/bin:/bin:/usr/sbin:${process.env.PATH ?? ''}`, SLUICE_NODE: process.execPath },
  };
  const started = new Date();
  const load0 = os.loadavg();
  log(`bench: ${args.quick ? 'quick' : 'full'} run of ${args.sections.join(', ')} in ${dir}; ${os.cpus().length} cores, load ${load0.map((x) => x.toFixed(2)).join(' ')}`);

  const results: SectionResult[] = [];
  let failed = 0;
  for (const name of args.sections) {
    const t0 = Date.now();
    log(`== ${name}`);
    let r: SectionResult;
    try {
      r = await SECTIONS[name]!(ctx);
    } catch (err) {
      failed++;
      const message = err instanceof Error ? err.message : String(err);
      r = { name, title: name, skipped: `FAILED: ${message}`, rows: [], ratios: [], facts: {} };
    }
    r.facts.sectionSeconds = (Date.now() - t0) / 1000;
    results.push(r);
    process.stdout.write(`\n${r.title}\n`);
    if (r.skipped) process.stdout.write(`  skipped: ${r.skipped}\n`);
    else {
      process.stdout.write(sectionTable(r) + '\n');
      for (const row of r.rows) if (row.note) process.stdout.write(`  ${row.what}: ${row.note}\n`);
      if (typeof r.facts.deliveriesText === 'string' && r.facts.deliveriesText) process.stdout.write(`  per-folder deliveries (peer = sluice): ${r.facts.deliveriesText}\n`);
    }
  }

  emptyTrash();
  const ratios = results.flatMap((r) => r.ratios);
  process.stdout.write(`\nSummary: sluice/peer throughput (> 1: sluice faster)\n${summaryTable(ratios)}\n`);
  const load1 = os.loadavg();
  const out = join(dir, 'results.json');
  const report = {
    schema: 1,
    started: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    quick: args.quick,
    machine: { cores: os.cpus().length, loadBefore: load0, loadAfter: load1, ...versions(), sluice: SLUICE },
    sizes: ctx.sizes,
    sections: results,
    ratios,
  };
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  log(`\nresults: ${out} (${report.seconds.toFixed(0)} s, load after ${load1.map((x) => x.toFixed(2)).join(' ')})`);
  return failed ? 1 : 0;
}

// run only as the entry point, so that tests can import parseArgs
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(new URL(import.meta.url).pathname)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
