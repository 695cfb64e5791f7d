// CPU time from /proc, for the rows whose throughput depends on who else uses the CPU: the
// machine's busy and idle time over a run (/proc/stat), and the CPU of one process tree
// (/proc/PID/stat of the root and everything below it). Linux only; both read in ticks of
// USER_HZ (100 per second on Linux, whatever the kernel's HZ).
import * as fs from 'node:fs';

export const TICK_MS = 1000 / 100;

/** Busy and idle ticks of all CPUs together since boot. */
export interface MachineTicks {
  busy: number;
  idle: number;
}

export function machineTicks(): MachineTicks {
  const line = fs.readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal ...
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0] = f;
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait };
}

/** One process's CPU ticks, its time waiting for a CPU, and what it is. */
export interface ProcessTicks {
  role: string;
  ticks: number;
  user: number;
  system: number;
  /** ms its main thread spent runnable but waiting on a run queue (/proc/PID/schedstat; 0 where the kernel has none). */
  waitMs: number;
}

/**
 * CPU ticks of `root` and every process below it, by pid; `roleOf` names each from its
 * command line. A process that exits between two snapshots takes its ticks with it, so
 * compare snapshots of long-lived trees only.
 */
export function treeTicks(root: number, roleOf: (pid: number, argv: string[]) => string = (_, argv) => argv[0] ?? '?'): Map<number, ProcessTicks> {
  const parent = new Map<number, number>();
  const stats = new Map<number, string[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      // the command name in parentheses may hold spaces: fields start after the last ')'
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(f[1]));
      stats.set(Number(name), f);
    } catch {
      // gone meanwhile
    }
  }
  const below = (pid: number): boolean => pid === root || (parent.has(pid) && pid !== 1 && below(parent.get(pid)!));
  const out = new Map<number, ProcessTicks>();
  for (const [pid, f] of stats) {
    if (!below(pid)) continue;
    let argv: string[] = [];
    try {
      argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
    } catch {
      // gone meanwhile: still count what we read of it
    }
    const user = Number(f[11]);
    const system = Number(f[12]);
    out.set(pid, { role: roleOf(pid, argv), ticks: user + system, user, system, waitMs: runQueueWaitMs(pid) });
  }
  return out;
}

/** schedstat: "time on CPU (ns) time waiting on a run queue (ns) time slices". */
function runQueueWaitMs(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'latin1').split(' ')[1]) / 1e6 || 0;
  } catch {
    return 0;
  }
}

/** What each process of `after` used between the two snapshots (named as in `after`). */
export function growthByProcess(before: Map<number, ProcessTicks>, after: Map<number, ProcessTicks>): Map<number, ProcessTicks> {
  const out = new Map<number, ProcessTicks>();
  for (const [pid, a] of after) {
    const b = before.get(pid);
    out.set(pid, {
      role: a.role,
      ticks: a.ticks - (b?.ticks ?? 0),
      user: a.user - (b?.user ?? 0),
      system: a.system - (b?.system ?? 0),
      waitMs: a.waitMs - (b?.waitMs ?? 0),
    });
  }
  return out;
}

/** How much `field` grew from `before` to `after`, summed over the processes of `after`. */
export function grownBy(before: Map<number, ProcessTicks>, after: Map<number, ProcessTicks>, field: 'ticks' | 'user' | 'system' | 'waitMs' = 'ticks'): number {
  let sum = 0;
  for (const g of growthByProcess(before, after).values()) sum += g[field];
  return sum;
}
