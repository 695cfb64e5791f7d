// The commands formail -s starts, one per message. A command is started when formail
// closes its pipe (its whole input is then known) and waited for as formail would: before
// the next message, or with -n only to stay under the process limit, and all at the end.

/**
 * What a spawner reports: an exit status, or the details. `signal` is the number of the
 * signal that killed the command; `inputBroken` says it exited without reading all of its
 * input (formail then sees a failed write: "Couldn't write to stdout").
 */
export type SpawnOutcome = number | { status: number | null; signal?: number | null; inputBroken?: boolean };

export interface SpawnOptions {
  /** formail -n: the caller does not wait for this command before the next one. */
  parallel: boolean;
  /** The working directory (formail's), when not this process's. */
  cwd?: string;
}

/**
 * Runs `argv` (latin1 strings: one char per byte) like formail's shexec(): execvp(argv[0])
 * and, if that fails, /bin/sh with argv as its arguments; stdin = `input`, stdout and
 * stderr = formail's own, environment = `env`.
 */
export type SpawnFn = (argv: string[], input: Buffer, env: Record<string, string>, opts: SpawnOptions) => Promise<SpawnOutcome>;

/** One finished command: formail's view of its status (minus the signal when killed). */
export interface Finished {
  seq: number;
  status: number;
  inputBroken: boolean;
}

function finished(seq: number, o: SpawnOutcome): Finished {
  if (typeof o === 'number') return { seq, status: o, inputBroken: false };
  const status = o.status !== null ? o.status : -(o.signal ?? 1);
  return { seq, status, inputBroken: !!o.inputBroken };
}

export class ChildRunner {
  private readonly running = new Set<Promise<Finished>>();
  private done: Finished[] = [];
  private last: Promise<Finished> | null = null;
  /** How many commands were started so far. */
  started = 0;

  constructor(
    private readonly spawn: SpawnFn,
    private readonly parallel: boolean,
    private readonly cwd?: string,
  ) {}

  start(argv: string[], input: Buffer[], env: Record<string, string>): void {
    const seq = this.started++;
    const data = input.length === 1 ? input[0]! : Buffer.concat(input);
    const tracked: Promise<Finished> = this.spawn(argv, data, env, this.cwd === undefined ? { parallel: this.parallel } : { parallel: this.parallel, cwd: this.cwd })
      .then(
        (o) => finished(seq, o),
        () => ({ seq, status: -1, inputBroken: false }), // could not even try: like a killed child
      )
      .then((f) => {
        this.running.delete(tracked);
        this.done.push(f);
        return f;
      });
    this.running.add(tracked);
    this.last = tracked;
  }

  /** Serial splitting: wait for the command of the message just finished (if it had one). */
  async waitLast(): Promise<Finished | null> {
    const p = this.last;
    this.last = null;
    if (!p) return null;
    const f = await p;
    this.done = this.done.filter((d) => d !== f);
    return f;
  }

  /** -n: collect finished commands; with a limit, wait until fewer than `limit` run. */
  async throttle(limit: number): Promise<Finished[]> {
    if (limit < 0) return this.waitAll();
    while (limit > 0 && this.running.size >= limit) await Promise.race(this.running);
    return this.done.splice(0);
  }

  /** The end: every command not reported yet, in order of completion. */
  async waitAll(): Promise<Finished[]> {
    while (this.running.size) await Promise.race(this.running);
    this.last = null;
    return this.done.splice(0);
  }
}
