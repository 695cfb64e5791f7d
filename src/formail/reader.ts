// Input as formail sees it: a byte stream read one character ahead (formail's `buflast`),
// taken a line at a time. Lines are located with Buffer.indexOf and, when they lie inside
// one input chunk, handed on as views of that chunk: splitting a big mailbox copies almost
// nothing. Input chunks are never written to, so such views stay valid.
import { NL } from './cbytes.ts';

/** A synchronous byte source (the CLI reads its stdin with fs.readSync). 0 = end of input. */
export interface SyncSource {
  readSync(into: Buffer): number;
}

export const EOF = -1;
const CHUNK = 1 << 20;
const EMPTY = Buffer.alloc(0);

/**
 * formail's `buf`: the line(s) being looked at. Either a view of input bytes (stable:
 * nothing will ever overwrite them) or bytes of its own.
 */
export class LineBuffer {
  private own: Buffer = Buffer.allocUnsafe(256);
  private view: Buffer | null = null;
  private len = 0;
  /** First byte of the latest contents, kept after clear() (formail reads *buf even then). */
  firstByte = 0;

  get length(): number {
    return this.view ? this.view.length : this.len;
  }

  /** The contents; a view that is only valid until the next change. */
  bytes(): Buffer {
    return this.view ?? this.own.subarray(0, this.len);
  }

  /** True when bytes() points at input that nothing will overwrite. */
  get stable(): boolean {
    return this.view !== null;
  }

  clear(): void {
    this.view = null;
    this.len = 0;
  }

  /** Append input bytes that will never change (may be kept as a view). */
  appendStable(b: Buffer): void {
    if (this.length === 0) {
      this.view = b;
      if (b.length) this.firstByte = b[0]!;
      return;
    }
    this.append(b);
  }

  append(b: Uint8Array): void {
    this.materialise(b.length);
    if (this.len === 0 && b.length) this.firstByte = b[0]!;
    this.own.set(b, this.len);
    this.len += b.length;
  }

  pushByte(c: number): void {
    this.materialise(1);
    if (this.len === 0) this.firstByte = c;
    this.own[this.len++] = c;
  }

  /** Take the contents out (formail "parks" buf while it builds header lines in it). */
  park(): { view: Buffer | null; own: Buffer; len: number } {
    const saved = { view: this.view, own: this.own, len: this.len };
    this.own = Buffer.allocUnsafe(256);
    this.view = null;
    this.len = 0;
    return saved;
  }

  restore(saved: { view: Buffer | null; own: Buffer; len: number }): void {
    this.view = saved.view;
    this.own = saved.own;
    this.len = saved.len;
  }

  private materialise(extra: number): void {
    if (this.view) {
      const v = this.view;
      this.view = null;
      this.len = 0;
      this.ensure(v.length + extra);
      this.own.set(v, 0);
      this.len = v.length;
      return;
    }
    this.ensure(this.len + extra);
  }

  private ensure(n: number): void {
    if (n <= this.own.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(n, this.own.length * 2));
    this.own.copy(bigger, 0, 0, this.len);
    this.own = bigger;
  }
}

export class ByteReader {
  private chunk: Buffer = EMPTY;
  private pos = 0;
  private done = false;
  private pending: Buffer | null;
  private readonly source: SyncSource | null;
  /** formail's rhash: a running hash of the bytes read, seeds generated Message-IDs. */
  rhash = 0n;
  hashing = false;

  constructor(input: Buffer | SyncSource) {
    if (Buffer.isBuffer(input)) {
      this.pending = input;
      this.source = null;
    } else {
      this.pending = null;
      this.source = input;
    }
  }

  private readChunk(): Buffer | null {
    if (this.done) return null;
    if (!this.source) {
      const b = this.pending;
      this.pending = null;
      this.done = true;
      return b && b.length ? b : null;
    }
    for (;;) {
      const b = Buffer.allocUnsafe(CHUNK);
      const n = this.source.readSync(b);
      if (n <= 0) {
        this.done = true;
        return null;
      }
      // a short read leaves a large unused tail; copy small reads so they don't pin 1 MB each
      return n < CHUNK / 4 ? Buffer.from(b.subarray(0, n)) : b.subarray(0, n);
    }
  }

  /** getchar(): the next byte, or EOF. */
  getc(): number {
    if (this.pos < this.chunk.length) return this.chunk[this.pos++]!;
    const next = this.readChunk();
    if (!next) {
      this.chunk = EMPTY;
      this.pos = 0;
      return EOF;
    }
    this.chunk = next;
    this.pos = 1;
    return next[0]!;
  }

  /**
   * The rest of the line whose first byte was the last one read (it is at chunk[pos-1]),
   * appended to `buf` up to and including its newline; a last line without one gets one.
   */
  appendLine(buf: LineBuffer): void {
    const start = this.pos - 1;
    if (this.chunk[start] === NL) {
      buf.appendStable(this.chunk.subarray(start, this.pos));
      return;
    }
    let nl = this.chunk.indexOf(NL, this.pos);
    if (nl >= 0) {
      const line = this.chunk.subarray(start, nl + 1);
      if (this.hashing) this.hash(line, 1, line.length - 1);
      buf.appendStable(line);
      this.pos = nl + 1;
      return;
    }
    const parts: Buffer[] = [this.chunk.subarray(start)];
    for (;;) {
      const next = this.readChunk();
      if (!next) {
        const line = Buffer.concat(parts);
        if (this.hashing) this.hash(line, 1, line.length);
        buf.append(line);
        buf.pushByte(NL);
        this.chunk = EMPTY;
        this.pos = 0;
        return;
      }
      nl = next.indexOf(NL);
      if (nl >= 0) {
        parts.push(next.subarray(0, nl + 1));
        const line = Buffer.concat(parts);
        if (this.hashing) this.hash(line, 1, line.length - 1);
        buf.appendStable(line);
        this.chunk = next;
        this.pos = nl + 1;
        return;
      }
      parts.push(next);
    }
  }

  /**
   * Up to n bytes starting with the last one read (Content-Length: copying), as stable
   * views. Afterwards the last byte taken counts as the last one read.
   */
  takeFromLast(n: number): Buffer[] {
    const out: Buffer[] = [];
    if (n <= 0 || this.pos === 0) return out;
    let start = this.pos - 1;
    for (;;) {
      const avail = this.chunk.length - start;
      if (n <= avail) {
        out.push(this.chunk.subarray(start, start + n));
        this.pos = start + n;
        return out;
      }
      out.push(this.chunk.subarray(start));
      n -= avail;
      const next = this.readChunk();
      if (!next) {
        // the last byte taken stays "last read"; the next getc() reports EOF
        this.chunk = EMPTY;
        this.pos = 0;
        return out;
      }
      this.chunk = next;
      start = 0;
    }
  }

  private hash(b: Buffer, from: number, to: number): void {
    let h = this.rhash;
    for (let k = from; k < to; k++) h = BigInt.asUintN(64, h * 67067n + BigInt(b[k]!));
    this.rhash = h;
  }
}
