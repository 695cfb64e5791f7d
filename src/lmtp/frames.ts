// The wire between the LMTP listener and a worker: a stream socket carrying frames of
//   [4-byte length of the rest][4-byte length of the head][JSON head, UTF-8][body bytes]
// The head is a small plain object (the job, the result: strings, numbers, booleans); the
// body is the message, sent as it is: putting megabytes through any serializer copies them
// once more on each side. JSON rather than v8.serialize(), which builds a serializer object
// for every call. A frame larger than the agreed limit closes the channel: the worker runs
// as a mail user and must not let the (less trusted) network side make it allocate without
// bound.
import type * as net from 'node:net';
import { LMTP_FRAME_SLACK } from '../limits.ts';

const HEADER = 4;
const HEAD_LENGTH = 4;
const NO_BODY = Buffer.alloc(0);

/** The largest frame a channel accepts when messages may be up to `maxMessageSize` bytes. */
export function frameLimit(maxMessageSize: number): number {
  return maxMessageSize + LMTP_FRAME_SLACK;
}

export class FrameChannel<In, Out> {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Header plus body of the frame being received, once its header has arrived. */
  private need: number | undefined;
  private closed = false;
  private onFrame: (value: In, body: Buffer) => void = () => undefined;
  private onClose: () => void = () => undefined;

  constructor(readonly socket: net.Socket, private readonly maxFrame: number) {
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => socket.destroy());
  }

  /**
   * What arrives (the body is empty when none was sent); `close` is called once, when the
   * other side or this one closed the socket.
   */
  listen(onFrame: (value: In, body: Buffer) => void, onClose: () => void): void {
    this.onFrame = onFrame;
    this.onClose = onClose;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(value: Out, body: Uint8Array = NO_BODY): boolean {
    if (this.closed) return false;
    const head = Buffer.from(JSON.stringify(value), 'utf8');
    const lengths = Buffer.allocUnsafe(HEADER + HEAD_LENGTH);
    lengths.writeUInt32BE(HEAD_LENGTH + head.length + body.length, 0);
    lengths.writeUInt32BE(head.length, HEADER);
    this.socket.cork();
    this.socket.write(lengths);
    this.socket.write(head);
    if (body.length) this.socket.write(body);
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
        if (size > this.maxFrame || size < HEAD_LENGTH) return this.abort();
        this.need = HEADER + size;
      }
      if (this.pendingBytes < this.need) return;
      const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
      const headEnd = HEADER + HEAD_LENGTH + buf.readUInt32BE(HEADER);
      if (headEnd > this.need) return this.abort();
      let value: unknown;
      try {
        value = JSON.parse(buf.toString('utf8', HEADER + HEAD_LENGTH, headEnd));
      } catch {
        value = undefined;
      }
      // not something our peer sends: the channel is out of step
      if (typeof value !== 'object' || value === null) return this.abort();
      const body = buf.subarray(headEnd, this.need);
      const rest = buf.subarray(this.need);
      this.need = undefined;
      this.pending = rest.length ? [rest] : [];
      this.pendingBytes = rest.length;
      if (!this.closed) this.onFrame(value as In, body);
    }
  }

  /** A frame we will not read: the channel ends (the peer sees it closed). */
  private abort(): void {
    this.socket.destroy();
    this.finish();
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
