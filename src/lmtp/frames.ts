// The wire between the LMTP listener and a worker: a stream socket carrying frames of
// [4-byte big-endian length][v8-serialized value]. Buffers travel as bytes (no base64, no
// JSON), and a frame larger than the agreed limit closes the channel: the worker runs as a
// mail user and must not let the (less trusted) network side make it allocate without bound.
import type * as net from 'node:net';
import { deserialize, serialize } from 'node:v8';

const HEADER = 4;

export class FrameChannel<In, Out> {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Header plus body of the frame being received, once its header has arrived. */
  private need: number | undefined;
  private closed = false;
  private onFrame: (value: In) => void = () => undefined;
  private onClose: () => void = () => undefined;

  constructor(readonly socket: net.Socket, private readonly maxFrame: number) {
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => socket.destroy());
  }

  /** What arrives; `close` is called once, when the other side or this one closed the socket. */
  listen(onFrame: (value: In) => void, onClose: () => void): void {
    this.onFrame = onFrame;
    this.onClose = onClose;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(value: Out): boolean {
    if (this.closed) return false;
    const body = serialize(value);
    const head = Buffer.allocUnsafe(HEADER);
    head.writeUInt32BE(body.length, 0);
    this.socket.cork();
    this.socket.write(head);
    this.socket.write(body);
    this.socket.uncork();
    return true;
  }

  close(): void {
    this.socket.end();
    this.finish();
  }

  private take(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= HEADER) {
      // the length is read once per frame; the chunks are joined only when the whole frame
      // is there (joining on every chunk copies a large message over and over)
      if (this.need === undefined) {
        if (this.pending[0]!.length < HEADER) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
        const size = this.pending[0]!.readUInt32BE(0);
        if (size > this.maxFrame) {
          this.socket.destroy();
          this.finish();
          return;
        }
        this.need = HEADER + size;
      }
      if (this.pendingBytes < this.need) return;
      const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
      const value = deserialize(buf.subarray(HEADER, this.need)) as In;
      const rest = buf.subarray(this.need);
      this.need = undefined;
      this.pending = rest.length ? [rest] : [];
      this.pendingBytes = rest.length;
      if (!this.closed) this.onFrame(value);
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.need = undefined;
    this.onClose();
  }
}
