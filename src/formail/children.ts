// The commands formail -s starts, one per message. A command is started when formail
// closes its pipe (its whole input is then known) and waited for as formail would: before
// the next message, or with -n only to stay under the process limit, and all at the end.

/** What a spawner reports: an exit status, or minus the signal number that killed it. */
export type SpawnOutcome = number | { status: number | null; signal?: number | null };

export interface SpawnOptions {
  /** formail -n: the caller does not wait for this command before the next one. */
  parallel: boolean;
}

/**
 * Runs `argv` (latin1 strings: one char per byte) like formail's shexec(): execvp(argv[0])
 * and, if that fails, /bin/sh with argv as its arguments; stdin = `input`, stdout and
 * stderr = formail's own, environment = `env`.
 */
export type SpawnFn = (argv: string[], input: Buffer, env: Record<string, string>, opts: SpawnOptions) => Promise<SpawnOutcome>;

export function exitStatus(o: SpawnOutcome): number {
  if (typeof o === 'number') return o;
  if (o.status !== null) return o.status;
  return -(o.signal ?? 1);
}

export class ChildRunner {
  private readonly running = new Set<Promise<number>>();
  private readonly finished: number[] = [];
  private last: Promise<number> | null = null;

  constructor(
    private readonly spawn: SpawnFn,
    private readonly parallel: boolean,
  ) {}

  start(argv: string[], input: Buffer[], env: Record<string, string>): void {
    const p = this.spawn(argv, input.length === 1 ? input[0]! : Buffer.concat(input), env, { parallel: this.parallel }).then(
      exitStatus,
      () => -1, // could not even try: a failure, like a killed child
    );
    const tracked = p.then((status) => {
      this.running.delete(tracked);
      this.finished.push(status);
      return status;
    });
    this.running.add(tracked);
    this.last = tracked;
  }

  /** Serial splitting: wait for the command of the message just finished. */
  async waitLast(): Promise<number> {
    const p = this.last;
    this.last = null;
    if (!p) return 0;
    const status = await p;
    const k = this.finished.indexOf(status);
    if (k >= 0) this.finished.splice(k, 1);
    return status;
  }

  /** -n: collect finished commands; with a limit, wait until fewer than `limit` run. */
  async throttle(limit: number): Promise<number[]> {
    if (limit < 0) return this.waitAll();
    while (limit > 0 && this.running.size >= limit) await Promise.race(this.running);
    return this.finished.splice(0);
  }

  /** The end: every command's status not reported yet, in order of completion. */
  async waitAll(): Promise<number[]> {
    while (this.running.size) await Promise.race(this.running);
    this.last = null;
    return this.finished.splice(0);
  }
}
