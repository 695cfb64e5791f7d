// The process umask, set only when it changes: a mailbox delivered in one process sets it
// for every message and every folder write (procmail's UMASK semantics), almost always to the
// value it already has. Everything in sluice that changes the umask goes through here.
let known: number | undefined;

export function setProcessUmask(mask: number): void {
  const m = mask & 0o777;
  if (m === known) return;
  process.umask(m);
  known = m;
}

/** The umask now (read once, then remembered). */
export function processUmask(): number {
  if (known === undefined) known = process.umask();
  return known;
}
