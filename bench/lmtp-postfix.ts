// The Postfix half of section "lmtp" (issue 6): smtp-source pushes N messages over S parallel
// SMTP sessions into one private Postfix (peers/postfix.sh), which hands them on by domain:
//   dovecot.test  -> lmtp: Dovecot's LMTP (alice's INBOX; Dovecot runs no procmail rc)
//   sluice.test   -> lmtp: `sluice lmtpd` (user carol, whose ~/.procmailrc is the §(c) rc)
//   procmail.test -> pipe: /usr/bin/procmail -m RC as user mail (the same rc, other tree)
// One Postfix for all three, so the SMTP side costs the same everywhere; a run is timed
// from the first SMTP connection until the queue is empty (`postfix.sh drain`), and each
// message's latency comes from Postfix's own delivery log line (delay=, delays=).
import * as fs from 'node:fs';
import { join } from 'node:path';
import { sq, type Context } from './context.ts';
import { grownBy, machineTicks, TICK_MS, treeTicks } from './cpu.ts';
import { checkDelivered, folderCounts, formatCounts, ldaRc, PEERS, setAsideDir } from './fixtures.ts';
import type { Row } from './report.ts';
import { median, timeShell, type Variant } from './timing.ts';

/** Private ports, away from postfix.sh's defaults that other users of the peers may hold. */
const POSTFIX_PORTS = { SMTP_PORT: '12625', SINK_PORT: '12626', REINJECT_PORT: '12627' };
const DRAIN_SECONDS = 600;

/**
 * Messages sent untimed to each target before its timed runs. A resident server is measured
 * near its steady state: sluice's workers are JavaScript, and V8 compiles their hot code
 * while they deliver. With the flags of src/lmtp/spawn.ts a fresh lmtpd reaches its steady
 * CPU per message after ~4 000 messages (`bench/lmtpd-cpu.ts --rounds`), so after this
 * warm-up the first timed runs still pay part of it (results.json: sluice's CPU per message
 * falls over its rounds). procmail starts fresh per message and has nothing to warm;
 * Dovecot's processes warm after a few messages.
 */
export function warmUpMessages(n: number): number {
  return Math.min(1000, n);
}

export type PostfixTarget = 'dovecot' | 'sluice' | 'procmail';
export const POSTFIX_TARGETS: readonly PostfixTarget[] = ['dovecot', 'sluice', 'procmail'];

export const RECIPIENT: Record<PostfixTarget, string> = {
  dovecot: 'alice@dovecot.test',
  sluice: 'carol@sluice.test',
  procmail: 'mail@procmail.test',
};

/** One delivery log line of Postfix: total delay and its a/b/c/d breakdown, seconds. */
export interface Delay {
  delay: number;
  /** a: before the queue manager, b: in the queue manager, c: connection set-up, d: transmission. */
  parts: [number, number, number, number];
}

const DELIVERY = /\bto=<([^>]*)>.*\bdelay=([\d.]+), delays=([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+),.*\bstatus=sent\b/;

/** The `status=sent` delays for `recipient` among Postfix log lines. */
export function parseDelays(logText: string, recipient: string): Delay[] {
  const out: Delay[] = [];
  for (const line of logText.split('\n')) {
    const m = DELIVERY.exec(line);
    if (!m || m[1]!.toLowerCase() !== recipient) continue;
    out.push({ delay: Number(m[2]), parts: [Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])] });
  }
  return out;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) throw new Error('percentile of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1]!;
}

export interface PostfixSetup {
  ctx: Context;
  /** Section work directory. */
  dir: string;
  msg: string;
  n: number;
  sessions: number;
  dovecotLmtpPort: number;
  sluiceLmtpPort: number;
  /** The lmtpd's supervisor pid: its process tree's CPU is counted per run. */
  sluicePid: number;
  /** Counts alice's messages in the Dovecot instance / empties them. */
  dovecotCount: () => Promise<number>;
  dovecotClear: () => Promise<void>;
  /** carol's home (passwd-file of the running lmtpd), uid `mailUid`. */
  carolHome: string;
  mailUid: number;
}

/**
 * CPU per message of one timed run, ms: the whole machine's busy and idle time; in sluice's
 * runs also lmtpd's processes, their CPU and their time waiting for a CPU.
 */
export interface RunCpu {
  busy: number;
  idle: number;
  sluice?: { cpu: number; runQueueWait: number };
}

export interface PostfixRun {
  variants: Variant[];
  rows: (times: Map<string, number[]>) => Record<PostfixTarget, Row>;
  latency: Record<PostfixTarget, Delay[]>;
  cpu: Record<PostfixTarget, RunCpu[]>;
  /** The last run's per-folder counts (procmail's; sluice's are checked equal). */
  deliveries: () => string;
  stop: () => Promise<void>;
}

const fmtS = (x: number): string => (x >= 10 ? x.toFixed(1) : x.toFixed(2));

const postfixSh = (args: string): string => `${sq(join(PEERS, 'postfix.sh'))} ${args}`;
const postfixDir = (dir: string): string => join(dir, 'pf');
const postfixEnv = (p: PostfixSetup): NodeJS.ProcessEnv => ({ ...p.ctx.env, ...POSTFIX_PORTS, LMTP_DOMAINS: 'dovecot.test', LMTP_NEXTHOP: `inet:127.0.0.1:${p.dovecotLmtpPort}` });

/** Starts the private Postfix routed to the three targets and returns their variants (stops it again if the set-up fails). */
export async function postfixVariants(p: PostfixSetup): Promise<PostfixRun> {
  try {
    return await setUp(p);
  } catch (err) {
    await timeShell({ script: postfixSh(`stop ${sq(postfixDir(p.dir))}`), env: postfixEnv(p) }).catch(() => undefined);
    throw err;
  }
}

async function setUp(p: PostfixSetup): Promise<PostfixRun> {
  const { ctx, dir } = p;
  const pf = postfixDir(dir);
  const conf = join(pf, 'conf');
  const env = postfixEnv(p);

  // the same rc for sluice (carol's ~/.procmailrc) and procmail (-m RC), each filing its own tree
  const sluiceOut = join(p.carolHome, 'out');
  const procmailOut = join(dir, 'procmail.out');
  const carolRc = join(p.carolHome, '.procmailrc');
  fs.writeFileSync(carolRc, ldaRc(sluiceOut), { mode: 0o644 });
  fs.chownSync(carolRc, p.mailUid, p.mailUid);
  const procmailRc = join(dir, 'procmail-pf.rc');
  fs.writeFileSync(procmailRc, ldaRc(procmailOut), { mode: 0o644 });

  await timeShell({ script: postfixSh(`stop ${sq(pf)}`), env }).catch(() => undefined);
  await timeShell({ script: postfixSh(`start ${sq(pf)}`), env });
  // postfix.sh routes only LMTP_DOMAINS (all to one next hop): add sluice.test and the pipe
  const transport = `inline:{ dovecot.test=lmtp:inet:127.0.0.1:${p.dovecotLmtpPort}, sluice.test=lmtp:inet:127.0.0.1:${p.sluiceLmtpPort}, procmail.test=procmail: }`;
  await timeShell({
    script: [
      `postconf -c ${sq(conf)} -e 'relay_domains = dovecot.test, sluice.test, procmail.test' ${sq(`transport_maps = ${transport}`)} 'procmail_destination_recipient_limit = 1'`,
      `postconf -c ${sq(conf)} -M ${sq(`procmail/unix=procmail unix - n n - - pipe flags=R user=mail argv=/usr/bin/procmail -m ${procmailRc}`)}`,
      `postfix -c ${sq(conf)} reload`,
    ].join(' && '),
    env,
  });
  const logPath = join(pf, 'log', 'postfix.log');

  const clear: Record<PostfixTarget, () => Promise<void>> = {
    dovecot: p.dovecotClear,
    sluice: async () => {
      setAsideDir(sluiceOut);
      fs.chownSync(sluiceOut, p.mailUid, p.mailUid);
    },
    procmail: async () => {
      setAsideDir(procmailOut);
      fs.chownSync(procmailOut, p.mailUid, p.mailUid);
    },
  };
  const counts = { sluice: {} as Record<string, number>, procmail: {} as Record<string, number> };
  const verify: Record<PostfixTarget, () => Promise<void>> = {
    dovecot: async () => {
      const got = await p.dovecotCount();
      if (got !== p.n) throw new Error(`Postfix -> Dovecot LMTP: ${got} messages in alice's INBOX after sending ${p.n}`);
    },
    sluice: async () => {
      counts.sluice = folderCounts(sluiceOut);
      checkDelivered('Postfix -> sluice lmtpd', counts.sluice, p.n, Object.keys(counts.procmail).length ? counts.procmail : undefined);
    },
    procmail: async () => {
      counts.procmail = folderCounts(procmailOut);
      checkDelivered('Postfix -> procmail', counts.procmail, p.n, Object.keys(counts.sluice).length ? counts.sluice : undefined);
    },
  };
  const send = (t: PostfixTarget, count: number): string =>
    `smtp-source -s ${p.sessions} -m ${count} -F ${sq(p.msg)} -f sender@example.com -t ${RECIPIENT[t]} 127.0.0.1:${POSTFIX_PORTS.SMTP_PORT} && ${postfixSh(`drain ${sq(pf)} ${DRAIN_SECONDS}`)}`;

  // the delivery lines of one run: everything the log gained since the run started
  const latency: Record<PostfixTarget, Delay[]> = { dovecot: [], sluice: [], procmail: [] };
  const collect = async (t: PostfixTarget, from: number, count: number): Promise<void> => {
    // postlogd writes asynchronously: give the last lines a moment to arrive
    for (let i = 0; ; i++) {
      const size = fs.statSync(logPath).size;
      const buf = Buffer.alloc(size - from);
      const fd = fs.openSync(logPath, 'r');
      fs.readSync(fd, buf, 0, buf.length, from);
      fs.closeSync(fd);
      const d = parseDelays(buf.toString('latin1'), RECIPIENT[t]);
      if (d.length >= count || i >= 50) {
        if (d.length !== count) throw new Error(`Postfix log: ${d.length} status=sent lines for ${RECIPIENT[t]}, expected ${count}`);
        latency[t].push(...d);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  // warm-up (untimed): Postfix's lmtp/pipe processes, Dovecot's and sluice's workers, and
  // sluice's JIT (see warmUpMessages)
  for (const t of POSTFIX_TARGETS) {
    await clear[t]();
    await timeShell({ script: send(t, warmUpMessages(p.n)), env: ctx.env });
  }

  // Where the CPU went during each run: with the machine saturated, the path that costs less
  // CPU per message wins, and most of that CPU is Postfix's own (docs/benchmarks.md)
  const cpu: Record<PostfixTarget, RunCpu[]> = { dovecot: [], sluice: [], procmail: [] };
  const measured = async (t: PostfixTarget): Promise<number> => {
    const s0 = t === 'sluice' ? treeTicks(p.sluicePid) : undefined;
    const m0 = machineTicks();
    const { seconds } = await timeShell({ script: send(t, p.n), env: ctx.env });
    const m1 = machineTicks();
    const perMsg = (ticks: number): number => (ticks * TICK_MS) / p.n;
    const run: RunCpu = { busy: perMsg(m1.busy - m0.busy), idle: perMsg(m1.idle - m0.idle) };
    if (s0) {
      const s1 = treeTicks(p.sluicePid);
      run.sluice = { cpu: perMsg(grownBy(s0, s1)), runQueueWait: grownBy(s0, s1, 'waitMs') / p.n };
    }
    cpu[t].push(run);
    return seconds;
  };

  const variants: Variant[] = POSTFIX_TARGETS.map((t) => {
    let from = 0;
    return {
      name: `postfix-${t}`,
      prepare: async () => {
        await clear[t]();
        from = fs.statSync(logPath).size;
      },
      run: () => measured(t),
      verify: async () => {
        await verify[t]();
        await collect(t, from, p.n);
      },
    };
  });

  const what: Record<PostfixTarget, string> = {
    dovecot: 'Postfix -> Dovecot LMTP (INBOX, no rc)',
    sluice: 'Postfix -> sluice lmtpd (rc)',
    procmail: 'Postfix -> pipe procmail -m rc',
  };
  const rows = (times: Map<string, number[]>): Record<PostfixTarget, Row> => {
    const r = {} as Record<PostfixTarget, Row>;
    for (const t of POSTFIX_TARGETS) {
      const runs = times.get(`postfix-${t}`)!;
      const delays = latency[t].map((d) => d.delay);
      const agent = latency[t].map((d) => d.parts[3]);
      const c = cpu[t];
      const lmtpd = c.flatMap((x) => (x.sluice ? [x.sluice] : []));
      const sluiceCpu = lmtpd.length
        ? `; sluice lmtpd ${median(lmtpd.map((x) => x.cpu)).toFixed(2)} ms, waiting for a CPU ${median(lmtpd.map((x) => x.runQueueWait)).toFixed(2)} ms`
        : '';
      r[t] = {
        what: what[t],
        command: send(t, p.n),
        seconds: median(runs),
        work: p.n,
        unit: 'msg',
        runs,
        note: `per-message latency over ${delays.length} messages: delay= p50 ${fmtS(percentile(delays, 50))} s, p99 ${fmtS(percentile(delays, 99))} s; delivery agent only (delays=.../d) p50 ${fmtS(percentile(agent, 50))} s, p99 ${fmtS(percentile(agent, 99))} s; CPU per message (median of runs): machine busy ${median(c.map((x) => x.busy)).toFixed(2)} ms, idle ${median(c.map((x) => x.idle)).toFixed(2)} ms${sluiceCpu}`,
      };
    }
    return r;
  };

  return {
    variants,
    rows,
    latency,
    cpu,
    deliveries: () => formatCounts(counts.procmail),
    stop: async () => void (await timeShell({ script: postfixSh(`stop ${sq(pf)}`), env }).catch(() => undefined)),
  };
}

/** Latency facts for results.json: p50/p99 of delay= and of the delivery agent's share. */
export function latencyFacts(latency: Record<PostfixTarget, Delay[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of POSTFIX_TARGETS) {
    const d = latency[t];
    if (!d.length) continue;
    const delays = d.map((x) => x.delay);
    const agent = d.map((x) => x.parts[3]);
    out[t] = {
      messages: d.length,
      delayP50: percentile(delays, 50),
      delayP99: percentile(delays, 99),
      delayMax: Math.max(...delays),
      agentP50: percentile(agent, 50),
      agentP99: percentile(agent, 99),
    };
  }
  return out;
}
