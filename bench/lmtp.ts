// Section "lmtp" (issue 6): the resident path. smtp-source -L sends N copies of one 5 KB
// message to alice over S parallel sessions, against Dovecot's LMTP (peers/dovecot.sh, a
// private instance on its own ports) and against `sluice lmtpd` (alice is a virtual user
// of a passwd-file, uid mail, no rcfile: both file everything into ~/Maildir and fsync).
// Two ways of connecting, as in baselines §(c): a new connection per message, and
// connections reused (-d). Every run must leave exactly N messages in alice's Maildir.
// Then the same N messages through a private Postfix (bench/lmtp-postfix.ts) to Dovecot's
// LMTP, to sluice lmtpd running the §(c) rc, and to procmail -m rc by a pipe transport.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { REPO, SLUICE, sq, type Context } from './context.ts';
import { generatedMessages, PEERS, resetDir, setAsideDir } from './fixtures.ts';
import { latencyFacts, postfixVariants, type PostfixRun, warmUpMessages } from './lmtp-postfix.ts';
import { ratioOf, type Row, type SectionResult } from './report.ts';
import { interleave, median, timeShell, type Variant } from './timing.ts';

/** Private ports, away from dovecot.sh's defaults that other users of the peers may hold. */
const DOVECOT_PORTS = { IMAP_PORT: '11343', POP3_PORT: '11310', LMTP_PORT: '11324' };
export const MAIL_UID = 8; // Debian's `mail`, as dovecot.sh uses
const READY_TIMEOUT_MS = 30_000;

/** Why the section cannot run, or null. */
async function missing(ctx: Context): Promise<string | null> {
  const daemon = join(REPO, 'src', 'lmtp', 'daemon.ts');
  if (!fs.existsSync(daemon) || !/export async function startLmtpd\b/.test(fs.readFileSync(daemon, 'utf8'))) {
    return 'src/lmtp has no programmatic start function (startLmtpd) yet';
  }
  for (const [what, script] of [
    ['bin/sluice lmtpd', `${sq(SLUICE)} lmtpd --help`],
    ['smtp-source (postfix)', 'command -v smtp-source'],
    ['dovecot', 'command -v dovecot'],
  ] as const) {
    try {
      await timeShell({ script, env: ctx.env });
    } catch {
      return `${what} is not available`;
    }
  }
  if (process.getuid?.() !== 0) return 'needs root (Dovecot and lmtpd deliver as user mail)';
  return null;
}

/** Starts `sluice lmtpd` on a free port; resolves once it logged "lmtpd ready". */
export async function startSluiceLmtpd(env: NodeJS.ProcessEnv, passwd: string, logPath: string, extra: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const log = fs.openSync(logPath, 'w');
  const child = spawn(SLUICE, ['lmtpd', '--listen', '127.0.0.1:0', '--passwd-file', passwd, '--no-system-users', ...extra], {
    env,
    stdio: ['ignore', 'ignore', log],
  });
  fs.closeSync(log);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const text = fs.readFileSync(logPath, 'utf8');
    const ready = text.split('\n').find((l) => l.includes('lmtpd ready'));
    if (ready) {
      const m = /127\.0\.0\.1:(\d+)/.exec(ready);
      if (!m) throw new Error(`lmtpd ready, but on which port? ${ready}`);
      return { child, port: Number(m[1]) };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`sluice lmtpd did not start:\n${text.slice(-1000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await done;
}

const countFiles = (dir: string): number => (fs.existsSync(dir) ? fs.readdirSync(dir).length : 0);

export async function lmtpSection(ctx: Context): Promise<SectionResult> {
  const { sizes, log } = ctx;
  const n = sizes.lmtpMessages;
  const s = sizes.lmtpSessions;
  const title = `4. LMTP (issue 6): smtp-source -L, ${n} x one 5 KB message, ${s} sessions, Dovecot LMTP vs sluice lmtpd, direct and via Postfix (vs procmail too)`;
  const why = await missing(ctx);
  if (why) return { name: 'lmtp', title, skipped: why, rows: [], ratios: [], facts: {} };

  const dir = join(ctx.dir, 'lmtp');
  fs.mkdirSync(dir, { recursive: true });
  const msg = generatedMessages(ctx.dir, sizes.messages).files[5]!;
  const dc = join(dir, 'dc');
  const dovecotEnv = { ...ctx.env, ...DOVECOT_PORTS, TLS: '0' };
  const home = join(dir, 'home');
  resetDir(home);
  fs.chownSync(home, MAIL_UID, MAIL_UID);
  const passwd = join(dir, 'passwd');
  // alice: no rcfile (direct rows); carol: the §(c) rc in ~/.procmailrc (Postfix rows)
  const carolHome = join(dir, 'carol');
  resetDir(carolHome);
  fs.chownSync(carolHome, MAIL_UID, MAIL_UID);
  fs.writeFileSync(passwd, `alice:x:${MAIL_UID}:${MAIL_UID}::${home}::\ncarol:x:${MAIL_UID}:${MAIL_UID}::${carolHome}::\n`);
  const maildirNew = join(home, 'Maildir', 'new');

  await timeShell({ script: `${sq(join(PEERS, 'dovecot.sh'))} start ${sq(dc)}`, env: dovecotEnv });
  let lmtpd: { child: ChildProcess; port: number } | undefined;
  let postfix: PostfixRun | undefined;
  try {
    lmtpd = await startSluiceLmtpd(ctx.env, passwd, join(dir, 'lmtpd.log'));
    const port = { dovecot: Number(DOVECOT_PORTS.LMTP_PORT), sluice: lmtpd.port };
    const send = (server: keyof typeof port, count: number, sessions: number, reuse: boolean): string =>
      `smtp-source -L ${reuse ? '-d ' : ''}-s ${sessions} -m ${count} -F ${sq(msg)} -f sender@example.com -t alice@sluice.test 127.0.0.1:${port[server]}`;
    const dovecotCount = async (): Promise<number> => {
      const out = join(dir, 'count.txt');
      await timeShell({ script: `${sq(join(PEERS, 'dovecot.sh'))} count ${sq(dc)} alice`, env: dovecotEnv, stdout: out });
      return Number(fs.readFileSync(out, 'utf8').trim());
    };
    const clear = {
      // Dovecot's mail is moved aside too (it recreates the user's directory itself), then
      // `dovecot.sh clear` has nothing left to delete and only resyncs the index
      dovecot: async () => {
        setAsideDir(join(dc, 'mail', 'alice'), false);
        await timeShell({ script: `${sq(join(PEERS, 'dovecot.sh'))} clear ${sq(dc)} alice`, env: dovecotEnv });
      },
      // moved aside, not deleted: see setAsideDir()
      sluice: () => {
        setAsideDir(join(home, 'Maildir'));
        fs.chownSync(join(home, 'Maildir'), MAIL_UID, MAIL_UID);
      },
    };
    const count = { dovecot: dovecotCount, sluice: async () => countFiles(maildirNew) };

    // warm-up (untimed): both start their per-user processes (and sluice's JIT warms up)
    for (const server of ['dovecot', 'sluice'] as const) {
      await clear[server]();
      await timeShell({ script: send(server, warmUpMessages(n), s, true), env: ctx.env });
    }

    const variants: Variant[] = [];
    for (const reuse of [false, true]) {
      for (const server of ['dovecot', 'sluice'] as const) {
        variants.push({
          name: `${server}${reuse ? '-reuse' : ''}`,
          prepare: clear[server],
          run: async () => (await timeShell({ script: send(server, n, s, reuse), env: ctx.env })).seconds,
          verify: async () => {
            const got = await count[server]();
            if (got !== n) throw new Error(`${server} LMTP: ${got} messages in alice's Maildir after sending ${n}`);
          },
        });
      }
    }
    const times = await interleave(variants, sizes.lmtpRounds, (name, round, sec) => log(`  lmtp round ${round} ${name}: ${sec.toFixed(2)} s`));
    const row = (name: string, what: string, server: keyof typeof port, reuse: boolean): Row => ({
      what,
      command: send(server, n, s, reuse),
      seconds: median(times.get(name)!),
      work: n,
      unit: 'msg',
      runs: times.get(name)!,
    });

    // through Postfix: its own interleaved rounds over the three delivery paths
    log('  starting the private Postfix (peers/postfix.sh) for the Postfix rows');
    postfix = await postfixVariants({
      ctx,
      dir,
      msg,
      n,
      sessions: s,
      dovecotLmtpPort: port.dovecot,
      sluiceLmtpPort: port.sluice,
      sluicePid: lmtpd.child.pid!,
      dovecotCount,
      dovecotClear: clear.dovecot,
      carolHome,
      mailUid: MAIL_UID,
    });
    const pfTimes = await interleave(postfix.variants, sizes.lmtpRounds, (name, round, sec) => log(`  lmtp round ${round} ${name}: ${sec.toFixed(2)} s`));
    const pf = postfix.rows(pfTimes);
    const goal = { min: 1, text: '>= 1.0' };

    const dNew = row('dovecot', 'Dovecot LMTP, connection per message', 'dovecot', false);
    const sNew = row('sluice', 'sluice lmtpd, connection per message', 'sluice', false);
    const dReuse = row('dovecot-reuse', 'Dovecot LMTP, connections reused (-d)', 'dovecot', true);
    const sReuse = row('sluice-reuse', 'sluice lmtpd, connections reused (-d)', 'sluice', true);
    return {
      name: 'lmtp',
      title,
      rows: [dNew, sNew, dReuse, sReuse, pf.dovecot, pf.sluice, pf.procmail],
      ratios: [
        ratioOf('lmtp', 'sluice lmtpd vs Dovecot LMTP, connection per message', sNew, dNew),
        ratioOf('lmtp', 'sluice lmtpd vs Dovecot LMTP, connections reused', sReuse, dReuse),
        ratioOf('lmtp', 'via Postfix: sluice lmtpd (rc) vs Dovecot LMTP', pf.sluice, pf.dovecot, goal),
        ratioOf('lmtp', 'via Postfix: sluice lmtpd (rc) vs pipe procmail -m rc', pf.sluice, pf.procmail, goal),
      ],
      facts: { message: msg, sessions: s, delivered: n, postfixLatency: latencyFacts(postfix.latency), postfixCpuPerMessageMs: postfix.cpu, deliveriesText: `via Postfix, procmail = sluice: ${postfix.deliveries()}` },
    };
  } finally {
    if (postfix) await postfix.stop();
    if (lmtpd) await stopChild(lmtpd.child);
    await timeShell({ script: `${sq(join(PEERS, 'dovecot.sh'))} stop ${sq(dc)}`, env: dovecotEnv }).catch(() => undefined);
  }
}
