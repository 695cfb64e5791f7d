// Serialises lock → append → unlock on one file inside this process. fcntl() locks belong to
// the process: when one delivery unlocks or closes the mailbox, the lock is gone for every
// other delivery of the same resident sluice (an LMTP worker with several messages in
// flight), and another process could then write in the middle of its message.
const tails = new Map<string, Promise<void>>();

/** Runs `work` after every earlier holder of `key` has finished. */
export async function withFileMutex<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = before.then(() => mine);
  tails.set(key, tail);
  await before;
  try {
    return await work();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
