// Where formail's output goes: stdout, the stdin of a per-message command (collected and
// handed over when formail "closes the pipe"), or nowhere (skipped and duplicate messages).
// Writes of stable input bytes that follow each other in memory are merged into one view,
// so passing message bodies through costs no copying.
import { isInputBytes } from './reader.ts';

export interface Sink {
  /** Bytes the caller may overwrite afterwards: copied now. */
  write(b: Uint8Array): void;
  /** b[from..to): bytes that never change (input): may be kept as a view. */
  writeStable(b: Buffer, from: number, to: number): void;
  /**
   * fclose(): hand everything over. Returns how many closes turned out to have failed:
   * usually 0 or 1, more when stdout batches several messages before writing them.
   */
  close(): number;
}

export class NullSink implements Sink {
  write(): void {}
  writeStable(): void {}
  close(): number {
    return 0;
  }
}

const BLOCK = 64 * 1024;

/** Collects output as a list of buffers, merging adjacent stable views and small copies. */
export class Collector {
  private parts: Buffer[] = [];
  // the stable view being extended, as offsets into its ArrayBuffer (no object per write)
  private runBuffer: ArrayBufferLike | null = null;
  private runStart = 0;
  private runEnd = 0;
  private block: Buffer | null = null; // scratch for small copied writes
  private blockLen = 0;
  private blockStart = 0;
  size = 0;
  /** How many bytes the last take() handed over. */
  lastTakenSize = 0;

  write(b: Uint8Array): void {
    if (!b.length) return;
    if (isInputBytes(b)) {
      this.writeStable(b, 0, b.length);
      return;
    }
    this.endRun();
    this.size += b.length;
    if (b.length > BLOCK / 4) {
      this.endBlock();
      this.parts.push(Buffer.from(b));
      return;
    }
    if (!this.block || this.blockLen + b.length > this.block.length) {
      this.endBlock();
      this.block = Buffer.allocUnsafe(BLOCK);
      this.blockLen = this.blockStart = 0;
    }
    this.block.set(b, this.blockLen);
    this.blockLen += b.length;
  }

  writeStable(b: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    this.size += to - from;
    const start = b.byteOffset + from;
    if (this.runBuffer === b.buffer && this.runEnd === start) {
      this.runEnd += to - from;
      return;
    }
    this.endBlock();
    this.endRun();
    this.runBuffer = b.buffer;
    this.runStart = start;
    this.runEnd = start + (to - from);
  }

  /** Everything collected so far, emptied out. */
  take(): Buffer[] {
    this.endRun();
    this.endBlock();
    const p = this.parts;
    this.parts = [];
    this.lastTakenSize = this.size;
    this.size = 0;
    return p;
  }

  private endRun(): void {
    if (this.runBuffer) {
      this.parts.push(Buffer.from(this.runBuffer, this.runStart, this.runEnd - this.runStart));
      this.runBuffer = null;
    }
  }

  private endBlock(): void {
    if (this.block && this.blockLen > this.blockStart) {
      this.parts.push(this.block.subarray(this.blockStart, this.blockLen));
      this.blockStart = this.blockLen;
    }
  }
}

/**
 * formail's stdout: output is handed to `emit` in large pieces. Closing (formail closes
 * stdout after every message while splitting) only flushes when a good amount has
 * gathered; flush() before anything else may write where stdout goes.
 */
export class StdoutSink implements Sink {
  private readonly c = new Collector();
  private failed = false;
  /** Closes whose output is still waiting to be written. */
  private batched = 0;
  /** Closes whose output failed to be written and were not reported yet. */
  private owed = 0;

  constructor(
    private readonly emit: (b: Buffer) => void,
    private readonly lazyClose = false,
  ) {}

  write(b: Uint8Array): void {
    this.c.write(b);
    if (this.c.size >= 4 * BLOCK) this.flush();
  }

  writeStable(b: Buffer, from: number, to: number): void {
    this.c.writeStable(b, from, to);
    if (this.c.size >= 16 * BLOCK) this.flush();
  }

  flush(): void {
    const parts = this.c.take();
    if (!this.failed && parts.length) {
      try {
        // big pieces (views of the input) go out as they are; small ones are joined first
        if (parts.length === 1 || this.c.lastTakenSize >= parts.length * BLOCK) for (const p of parts) this.emit(p);
        else this.emit(Buffer.concat(parts));
      } catch {
        this.failed = true; // EPIPE and friends: reported as "Couldn't write to stdout"
      }
    }
    if (this.failed) this.owed += this.batched;
    this.batched = 0;
  }

  close(): number {
    if (this.failed) return 1 + this.takeOwed();
    this.batched++;
    if (!this.lazyClose || this.c.size >= BLOCK) this.flush();
    return this.takeOwed();
  }

  private takeOwed(): number {
    const n = this.owed;
    this.owed = 0;
    return n;
  }
}

/** The stdin of a command started for one message; given to `onClose` when formail closes it. */
export class PipeSink implements Sink {
  private readonly c = new Collector();
  private closed = false;

  constructor(private readonly onClose: (input: Buffer[]) => void) {}

  write(b: Uint8Array): void {
    this.c.write(b);
  }

  writeStable(b: Buffer, from: number, to: number): void {
    this.c.writeStable(b, from, to);
  }

  close(): number {
    if (!this.closed) {
      this.closed = true;
      this.onClose(this.c.take());
    }
    return 0;
  }
}
