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

/**
 * The memory of input chunks. Nothing ever writes into it, so output may keep views of any
 * bytes in it instead of copying them (header fields are handed on as such views). Only
 * buffers that own their whole memory are listed: a pooled one shares it with others.
 */
const inputMemory = new WeakSet<ArrayBufferLike>();

/** Are these bytes (a view of) input that nothing will overwrite? */
export function isInputBytes(b: Uint8Array): boolean {
  return inputMemory.has(b.buffer);
}

function ownsMemory(b: Buffer): boolean {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
}
const CHUNK = 1 << 20;
const EMPTY = Buffer.alloc(0);

/** What park() took out of a LineBuffer. */
export interface ParkedLine {
  own: Buffer;
  data: Buffer;
  start: number;
  end: number;
  stable: boolean;
}

/**
 * formail's `buf`: the line(s) being looked at, as `data[start..end)`. Either a view of input
 * bytes (stable: nothing will ever overwrite them) or bytes of its own.
 */
export class LineBuffer {
  private own: Buffer = Buffer.allocUnsafe(256);
  private spare: Buffer | null = null;
  data: Buffer = this.own;
  start = 0;
  end = 0;
  /** True when the contents are input that nothing will overwrite. */
  stable = false;
  /** First byte of the latest contents, kept after clear() (formail reads *buf even then). */
  firstByte = 0;

  get length(): number {
    return this.end - this.start;
  }

  /** The contents as a Buffer (valid until the next change). */
  bytes(): Buffer {
    return this.data.subarray(this.start, this.end);
  }

  clear(): void {
    this.data = this.own;
    this.start = this.end = 0;
    this.stable = false;
  }

  /** Append input bytes that will never change (kept as a view when the buffer is empty). */
  appendStable(b: Buffer, from: number, to: number): void {
    if (this.stable && this.data === b && this.end === from) {
      this.end = to; // the next line of the same input (a continued header field)
      return;
    }
    if (this.end === this.start) {
      this.data = b;
      this.start = from;
      this.end = to;
      this.stable = true;
      if (to > from) this.firstByte = b[from]!;
      return;
    }
    this.append(b.subarray(from, to));
  }

  append(b: Uint8Array): void {
    this.materialise(b.length);
    if (this.end === 0 && b.length) this.firstByte = b[0]!;
    this.own.set(b, this.end);
    this.end += b.length;
  }

  pushByte(c: number): void {
    this.materialise(1);
    if (this.end === 0) this.firstByte = c;
    this.own[this.end++] = c;
  }

  /** Take the contents out (formail "parks" buf while it builds header lines in it). */
  park(): ParkedLine {
    const saved: ParkedLine = { own: this.own, data: this.data, start: this.start, end: this.end, stable: this.stable };
    // the bytes built while parked are copied when used, so one spare buffer serves every message
    this.own = this.spare ?? Buffer.allocUnsafe(256);
    this.spare = null;
    this.clear();
    return saved;
  }

  restore(saved: ParkedLine): void {
    this.spare = this.own;
    this.own = saved.own;
    this.data = saved.data;
    this.start = saved.start;
    this.end = saved.end;
    this.stable = saved.stable;
  }

  /** Make the contents our own bytes at own[0..), with room for `extra` more. */
  private materialise(extra: number): void {
    if (this.data !== this.own || this.start !== 0) {
      const v = this.data.subarray(this.start, this.end);
      this.ensure(v.length + extra, 0);
      this.own.set(v, 0);
      this.data = this.own;
      this.start = 0;
      this.end = v.length;
      this.stable = false;
      return;
    }
    this.ensure(this.end + extra, this.end);
  }

  private ensure(n: number, keep: number): void {
    if (n <= this.own.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(n, this.own.length * 2));
    this.own.copy(bigger, 0, 0, keep);
    if (this.data === this.own) this.data = bigger;
    this.own = bigger;
  }
}

export class ByteReader {
  private chunk: Buffer = EMPTY;
  private pos = 0;
  private done = false;
  private pending: Buffer | null;
  private readonly source: SyncSource | null;
  private scratch: Buffer | null = null;
  /** formail's rhash: a running hash of the bytes read, seeds generated Message-IDs. */
  rhash = 0n;
  hashing = false;

  constructor(input: Buffer | SyncSource) {
    if (Buffer.isBuffer(input)) {
      this.pending = input;
      this.source = null;
      if (ownsMemory(input)) inputMemory.add(input.buffer);
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
    const b = this.scratch ?? Buffer.allocUnsafe(CHUNK);
    this.scratch = null;
    const n = this.source.readSync(b);
    if (n <= 0) {
      this.done = true;
      return null;
    }
    if (n >= CHUNK / 4) {
      inputMemory.add(b.buffer);
      return b.subarray(0, n); // a big read keeps its buffer
    }
    // pipes deliver 64 KiB at a time: copy those out and read into the same buffer again
    // (into memory of their own, never a shared pool, so that they can be listed as input)
    this.scratch = b;
    const copy = Buffer.allocUnsafeSlow(n);
    b.copy(copy, 0, 0, n);
    inputMemory.add(copy.buffer);
    return copy;
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
      buf.appendStable(this.chunk, start, this.pos);
      return;
    }
    let nl = this.chunk.indexOf(NL, this.pos);
    if (nl >= 0) {
      if (this.hashing) this.hash(this.chunk, start + 1, nl);
      buf.appendStable(this.chunk, start, nl + 1);
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
        buf.appendStable(line, 0, line.length);
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
