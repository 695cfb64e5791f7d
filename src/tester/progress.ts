// A progress bar on stderr for long runs (a mailbox of thousands of messages). It appears
// only on a terminal and only once the run has taken a moment, redraws at most ten times a
// second, and clears itself at the end.

const SHOW_AFTER_MS = 500;
const REDRAW_MS = 100;
const WIDTH = 30;

export interface ProgressSink {
  isTTY?: boolean;
  write(s: string): unknown;
}

export class Progress {
  private readonly started: number;
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;
  private readonly clock: () => number;

  constructor(
    private readonly out: ProgressSink,
    private readonly totalBytes: number,
    opts: { enabled?: boolean; clock?: () => number } = {},
  ) {
    this.enabled = opts.enabled ?? !!out.isTTY;
    this.clock = opts.clock ?? Date.now;
    this.started = this.clock();
  }

  update(messages: number, bytesDone: number): void {
    if (!this.enabled) return;
    const now = this.clock();
    if (now - this.started < SHOW_AFTER_MS || now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const frac = this.totalBytes > 0 ? Math.min(1, bytesDone / this.totalBytes) : 0;
    const filled = Math.round(frac * WIDTH);
    const rate = messages / Math.max(0.001, (now - this.started) / 1000);
    this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%  ${messages} messages  ${Math.round(rate)}/s\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
  }
}
