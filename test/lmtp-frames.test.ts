// The listener-to-worker channel: frames survive any chunking, the message body stays bytes,
// and a frame over the limit or out of step closes the channel instead of being buffered.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameChannel } from '../src/lmtp/frames.ts';
import { SocketPairs } from '../src/lmtp/socketpair.ts';

const pairs = new SocketPairs();
after(() => pairs.close());
const socketPair = () => pairs.make();

type Msg = { id: number };
type Got = { id: number; body: Buffer };

/** A frame as the wire carries it, built by hand (not by FrameChannel.send). */
function rawFrame(head: unknown, body: Buffer, headLength?: number): Buffer {
  const h = Buffer.from(JSON.stringify(head), 'utf8');
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32BE(4 + h.length + body.length, 0);
  lengths.writeUInt32BE(headLength ?? h.length, 4);
  return Buffer.concat([lengths, h, body]);
}

function receiver(rx: FrameChannel<Msg, Msg>, count: number): { got: Got[]; done: Promise<void>; closed: Promise<void> } {
  const got: Got[] = [];
  let closedNow: () => void = () => undefined;
  const closed = new Promise<void>((r) => (closedNow = r));
  const done = new Promise<void>((resolve) =>
    rx.listen(
      (m, body) => {
        got.push({ id: m.id, body });
        if (got.length === count) resolve();
      },
      () => closedNow(),
    ),
  );
  return { got, done, closed };
}

test('frames arrive whole and in order however the stream is cut', async () => {
  const [a, b] = await socketPair();
  const rx = receiver(new FrameChannel<Msg, Msg>(b, 1 << 20), 3);
  b.resume();
  // three frames (the second without a body) written in uneven pieces onto the raw socket
  const all = Buffer.concat([
    rawFrame({ id: 1 }, Buffer.from('message 1\n\x00\xff', 'latin1')),
    rawFrame({ id: 2 }, Buffer.alloc(0)),
    rawFrame({ id: 3 }, Buffer.from('message 3\n\x00\xff', 'latin1')),
  ]);
  for (let k = 0; k < all.length; k += 7) a.write(all.subarray(k, k + 7));
  await rx.done;
  assert.deepEqual(rx.got.map((m) => m.id), [1, 2, 3]);
  assert.equal(rx.got[1]!.body.length, 0);
  assert.equal(rx.got[2]!.body.toString('latin1'), 'message 3\n\x00\xff');
  a.destroy();
  b.destroy();
});

test('a message of several megabytes in small writes arrives whole, followed by the next frame', async () => {
  const [a, b] = await socketPair();
  const tx = new FrameChannel<Msg, Msg>(a, 16 << 20);
  const rx = receiver(new FrameChannel<Msg, Msg>(b, 16 << 20), 2);
  const big = Buffer.alloc(6 << 20);
  for (let k = 0; k < big.length; k++) big[k] = (k * 7 + (k >> 12)) & 0xff;
  a.resume();
  b.resume();
  // the kernel hands the receiver the stream in pieces of at most a few hundred KB
  tx.send({ id: 1 }, big);
  tx.send({ id: 2 }, Buffer.from('after'));
  await rx.done;
  assert.equal(rx.got[0]!.id, 1);
  assert.ok(rx.got[0]!.body.equals(big));
  assert.equal(rx.got[1]!.body.toString(), 'after');
  tx.close();
});

test('a frame larger than the limit closes the channel', async () => {
  const [a, b] = await socketPair();
  const tx = new FrameChannel<Msg, Msg>(a, 1 << 20);
  const rx = new FrameChannel<Msg, Msg>(b, 1024);
  let frames = 0;
  const closed = new Promise<void>((resolve) => rx.listen(() => frames++, resolve));
  a.resume();
  b.resume();
  tx.send({ id: 1 }, new Uint8Array(10));
  tx.send({ id: 2 }, new Uint8Array(4096));
  await closed;
  assert.equal(frames, 1);
  assert.ok(rx.isClosed);
  tx.close();
});

test('a head that overruns its frame, or is not a JSON object, closes the channel', async () => {
  const bytes = (head: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 4 + head.length, 0, 0, 0, head.length]), head]);
  for (const bad of [rawFrame({ id: 2 }, Buffer.from('xy'), 1000), bytes(Buffer.from([0xff, 0x0f, 0x6f, 0x7b])), bytes(Buffer.from('42')), bytes(Buffer.from('null'))]) {
    const [a, b] = await socketPair();
    const rx = receiver(new FrameChannel<Msg, Msg>(b, 1 << 20), 1);
    b.resume();
    a.write(Buffer.concat([rawFrame({ id: 1 }, Buffer.from('ok')), bad]));
    await rx.closed;
    assert.deepEqual(rx.got.map((m) => m.id), [1]);
    a.destroy();
  }
});
