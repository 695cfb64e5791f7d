// Where formail's output goes: stdout, the stdin of a per-message command (collected and
// handed over when formail "closes the pipe"), or nowhere (skipped and duplicate messages).
// Writes of stable input bytes that follow each other in memory are merged into one view,
// so passing message bodies through costs no copying.

export interface Sink {
  /** Bytes the caller may overwrite afterwards: copied now. */
  write(b: Uint8Array): void;
  /** Bytes that never change (views of input): may be kept as they are. */
  writeStable(b: Buffer): void;
  /** fclose(): hand everything over; false if something could not be written. */
  close(): boolean;
}

export class NullSink implements Sink {
  write(): void {}
  writeStable(): void {}
  close(): boolean {
    return true;
  }
}

const BLOCK = 64 * 1024;

/** Collects output as a list of buffers, merging adjacent stable views and small copies. */
export class Collector {
  private parts: Buffer[] = [];
  private run: Buffer | null = null; // the stable view being extended
  private block: Buffer | null = null; // scratch for small copied writes
  private blockLen = 0;
  private blockStart = 0;
  size = 0;

  write(b: Uint8Array): void {
    if (!b.length) return;
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

  writeStable(b: Buffer): void {
    if (!b.length) return;
    this.size += b.length;
    const r = this.run;
    if (r && r.buffer === b.buffer && r.byteOffset + r.length === b.byteOffset) {
      this.run = Buffer.from(r.buffer, r.byteOffset, r.length + b.length);
      return;
    }
    this.endBlock();
    this.endRun();
    this.run = b;
  }

  /** Everything collected so far, emptied out. */
  take(): Buffer[] {
    this.endRun();
    this.endBlock();
    const p = this.parts;
    this.parts = [];
    this.size = 0;
    return p;
  }

  private endRun(): void {
    if (this.run) {
      this.parts.push(this.run);
      this.run = null;
    }
  }

  private endBlock(): void {
    if (this.block && this.blockLen > this.blockStart) {
      this.parts.push(this.block.subarray(this.blockStart, this.blockLen));
      this.blockStart = this.blockLen;
    }
  }
}

/** formail's stdout: output is handed to `emit` when it grows large and on close. */
export class StdoutSink implements Sink {
  private readonly c = new Collector();
  private failed = false;

  constructor(private readonly emit: (b: Buffer) => void) {}

  write(b: Uint8Array): void {
    this.c.write(b);
    if (this.c.size >= 4 * BLOCK) this.flush();
  }

  writeStable(b: Buffer): void {
    this.c.writeStable(b);
    if (this.c.size >= 16 * BLOCK) this.flush();
  }

  flush(): void {
    const parts = this.c.take();
    if (this.failed) return;
    try {
      for (const p of parts) this.emit(p);
    } catch {
      this.failed = true; // EPIPE and friends: reported as "Couldn't write to stdout"
    }
  }

  close(): boolean {
    this.flush();
    return !this.failed;
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

  writeStable(b: Buffer): void {
    this.c.writeStable(b);
  }

  close(): boolean {
    if (!this.closed) {
      this.closed = true;
      this.onClose(this.c.take());
    }
    return true;
  }
}
