// The listener-to-worker channel: frames survive any chunking, bytes stay bytes, a frame over
// the limit closes the channel instead of being buffered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'node:v8';
import { FrameChannel } from '../src/lmtp/frames.ts';
import { socketPair } from '../src/lmtp/socketpair.ts';

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
