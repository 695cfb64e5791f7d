// Where `sluice lmtpd` spends its CPU per message, by process (supervisor, listener,
// workers), from /proc/PID/stat before and after a run: the figures that explain the lmtp
// section's ratios. Not a comparison, so not a section of `npm run bench`:
//
//   node --import tsx bench/lmtpd-cpu.ts [MESSAGES] [--rounds R] [-- lmtpd options, e.g. --workers-per-user 2]
//
// smtp-source -L -d (connections reused) sends MESSAGES (default 5000) copies of the lmtp
// section's 5 KB message over 10 sessions to carol, a virtual user (uid mail) whose
// ~/.procmailrc is the §(c) rc, after 1000 untimed ones. Needs root and smtp-source.
// With --rounds R there is no warm-up: a fresh lmtpd gets R runs of MESSAGES each, and every
// run prints its CPU per message (listener, workers), i.e. how lmtpd warms up from cold
// (SLUICE_CHILD_V8_FLAGS='' runs its children with V8's default flags, for comparison).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { grownBy, growthByProcess, TICK_MS, treeTicks } from './cpu.ts';
import { generatedMessages, ldaRc, resetDir } from './fixtures.ts';
import { MAIL_UID, startSluiceLmtpd, stopChild } from './lmtp.ts';
import { warmUpMessages } from './lmtp-postfix.ts';

const SESSIONS = 10;

const roleOf = (root: number) => (pid: number, argv: string[]): string =>
  pid === root ? 'supervisor' : argv.includes('lmtp-listener') ? 'listener' : argv.includes('worker') ? 'worker' : argv[0]!;

async function main(): Promise<void> {
  const all = process.argv.slice(2);
  const dash = all.indexOf('--');
  const args = dash >= 0 ? all.slice(0, dash) : all;
  const lmtpdArgs = dash >= 0 ? all.slice(dash + 1) : [];
  const r = args.indexOf('--rounds');
  const rounds = r >= 0 ? Number(args.splice(r, 2)[1]) : 0;
  const n = Number(args[0] ?? 5000);
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(rounds) || rounds < 0) throw new Error('usage: lmtpd-cpu.ts [MESSAGES] [--rounds R] [-- lmtpd options]');
  if (process.getuid?.() !== 0) throw new Error('needs root (lmtpd delivers as user mail)');
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'sluice-lmtpd-cpu-'));
  fs.chmodSync(dir, 0o755); // carol (uid mail) lives below it
  try {
    // the lmtp section's message (made there, or now, in the same bench directory)
    const msg = generatedMessages(process.env.BENCH_DIR ?? '/tmp/sluice-bench', 2000).files[5]!;
    const home = join(dir, 'carol');
    resetDir(join(home, 'out'));
    fs.writeFileSync(join(home, '.procmailrc'), ldaRc(join(home, 'out')), { mode: 0o644 });
    execFileSync('chown', ['-R', `${MAIL_UID}:${MAIL_UID}`, home]);
    const passwd = join(dir, 'passwd');
    fs.writeFileSync(passwd, `carol:x:${MAIL_UID}:${MAIL_UID}::${home}::\n`);
    const lmtpd = await startSluiceLmtpd(process.env, passwd, join(dir, 'lmtpd.log'), lmtpdArgs);
    try {
      const send = (count: number) =>
        execFileSync('smtp-source', ['-L', '-d', '-s', String(SESSIONS), '-m', String(count), '-F', msg, '-f', 's@example.com', '-t', 'carol@sluice.test', `127.0.0.1:${lmtpd.port}`]);
      const root = lmtpd.child.pid!;
      const snapshot = () => treeTicks(root, roleOf(root));
      if (rounds) {
        printRounds(rounds, n, snapshot, send);
        checkFiled(home, rounds * n);
        return;
      }
      send(warmUpMessages(n));
      const before = snapshot();
      const started = process.hrtime.bigint();
      send(n);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const after = snapshot();
      const perMsg = (ticks: number) => ((ticks * TICK_MS) / n).toFixed(3);
      process.stdout.write(`${n} messages in ${seconds.toFixed(2)} s (${(n / seconds).toFixed(0)} msg/s), ${SESSIONS} sessions; CPU per message (ms):\n`);
      for (const [pid, d] of growthByProcess(before, after)) {
        process.stdout.write(`  ${d.role.padEnd(10)} ${String(pid).padStart(7)}  ${perMsg(d.ticks)}  (user ${perMsg(d.user)}, system ${perMsg(d.system)})\n`);
      }
      process.stdout.write(`  ${'all'.padEnd(18)} ${perMsg(grownBy(before, after))}  (user ${perMsg(grownBy(before, after, 'user'))}, system ${perMsg(grownBy(before, after, 'system'))})\n`);
      checkFiled(home, warmUpMessages(n) + n);
    } finally {
      await stopChild(lmtpd.child);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Snapshot = ReturnType<typeof treeTicks>;

/** R runs of n messages from cold: CPU per message of each run, all processes and by role. */
function printRounds(rounds: number, n: number, snapshot: () => Snapshot, send: (count: number) => void): void {
  process.stdout.write(`${rounds} runs of ${n} messages from a fresh lmtpd, ${SESSIONS} sessions; CPU per message (ms):\n`);
  for (let i = 0; i < rounds; i++) {
    const before = snapshot();
    const started = process.hrtime.bigint();
    send(n);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const after = snapshot();
    const by = new Map<string, number>();
    for (const d of growthByProcess(before, after).values()) by.set(d.role, (by.get(d.role) ?? 0) + d.ticks);
    const per = (ticks: number) => ((ticks * TICK_MS) / n).toFixed(3);
    const total = grownBy(before, after);
    const from = i * n;
    process.stdout.write(`  messages ${String(from + 1).padStart(6)}-${String(from + n).padEnd(6)} all ${per(total)}  listener ${per(by.get('listener') ?? 0)}  workers ${per(by.get('worker') ?? 0)}  (${(n / seconds).toFixed(0)} msg/s)\n`);
  }
}

function checkFiled(home: string, expected: number): void {
  const filed = fs.readdirSync(join(home, 'out'), { recursive: true }).filter((p) => String(p).includes('/new/')).length;
  if (filed !== expected) throw new Error(`${filed} messages filed, expected ${expected}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`lmtpd-cpu: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
