// The listener-to-worker channel: frames survive any chunking, bytes stay bytes, a frame over
// the limit closes the channel instead of being buffered.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'node:v8';
import { FrameChannel } from '../src/lmtp/frames.ts';
import { SocketPairs } from '../src/lmtp/socketpair.ts';

const pairs = new SocketPairs();
after(() => pairs.close());
const socketPair = () => pairs.make();

type Msg = { id: number; data: Uint8Array };

test('frames arrive whole and in order however the stream is cut', async () => {
  const [a, b] = await socketPair();
  const rx = new FrameChannel<Msg, Msg>(b, 1 << 20);
  const got: Msg[] = [];
  const done = new Promise<void>((resolve) => rx.listen((m) => { got.push(m); if (got.length === 3) resolve(); }, () => undefined));
  b.resume();
  // write three frames byte by byte in uneven pieces, straight onto the raw socket
  const frames = [1, 2, 3].map((id) => {
    const body = serialize({ id, data: Buffer.from(`message ${id}\n\x00\xff`, 'latin1') });
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    return Buffer.concat([head, body]);
  });
  const all = Buffer.concat(frames);
  for (let k = 0; k < all.length; k += 7) a.write(all.subarray(k, k + 7));
  await done;
  assert.deepEqual(got.map((m) => m.id), [1, 2, 3]);
  assert.equal(Buffer.from(got[2]!.data).toString('latin1'), 'message 3\n\x00\xff');
  a.destroy();
  b.destroy();
});

test('a message of several megabytes in small writes arrives whole, followed by the next frame', async () => {
  const [a, b] = await socketPair();
  const tx = new FrameChannel<Msg, Msg>(a, 16 << 20);
  const rx = new FrameChannel<Msg, Msg>(b, 16 << 20);
  const big = Buffer.alloc(6 << 20);
  for (let k = 0; k < big.length; k++) big[k] = (k * 7 + (k >> 12)) & 0xff;
  const got: Msg[] = [];
  const done = new Promise<void>((resolve) => rx.listen((m) => { got.push(m); if (got.length === 2) resolve(); }, () => undefined));
  a.resume();
  b.resume();
  // the kernel hands the receiver the stream in pieces of at most a few hundred KB
  tx.send({ id: 1, data: big });
  tx.send({ id: 2, data: Buffer.from('after') });
  await done;
  assert.equal(got[0]!.id, 1);
  assert.ok(Buffer.from(got[0]!.data).equals(big));
  assert.equal(Buffer.from(got[1]!.data).toString(), 'after');
  tx.close();
  rx.close();
});

test('a frame larger than the limit closes the channel', async () => {
  const [a, b] = await socketPair();
  const tx = new FrameChannel<Msg, Msg>(a, 1 << 20);
  const rx = new FrameChannel<Msg, Msg>(b, 1024);
  let frames = 0;
  const closed = new Promise<void>((resolve) => rx.listen(() => frames++, resolve));
  a.resume();
  b.resume();
  tx.send({ id: 1, data: new Uint8Array(10) });
  tx.send({ id: 2, data: new Uint8Array(4096) });
  await closed;
  assert.equal(frames, 1);
  assert.ok(rx.isClosed);
  tx.close();
});
