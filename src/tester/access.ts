// Who the dry run pretends to be. A real delivery runs as the recipient; the dry run decides
// "could this folder be written?" from the permission bits of what it finds, for that
// identity, instead of trying (trying would write). By default it is the invoking user, so a
// dry run predicts exactly what `sluice procmail` started by the same user would do.

export interface Identity {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: number[];
}

export function processIdentity(): Identity {
  return {
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    groups: process.getgroups?.() ?? [],
  };
}

/** The parts of a stat result the permission check needs. */
export interface Owned {
  mode: number;
  uid: number;
  gid: number;
}

const R = 4;
const W = 2;
const X = 1;

/**
 * The kernel's access() rule on permission bits: owner bits for the owner, group bits for a
 * member, other bits for everyone else; root may read and write anything and execute
 * (search) when any x bit is set or it is a directory.
 */
export function allowed(st: Owned, want: { read?: boolean; write?: boolean; exec?: boolean }, who: Identity): boolean {
  const need = (want.read ? R : 0) | (want.write ? W : 0) | (want.exec ? X : 0);
  if (who.uid === 0) {
    if (!(need & X)) return true;
    return (st.mode & 0o170000) === 0o040000 || (st.mode & 0o111) !== 0;
  }
  let bits: number;
  if (st.uid === who.uid) bits = (st.mode >> 6) & 7;
  else if (st.gid === who.gid || who.groups.includes(st.gid)) bits = (st.mode >> 3) & 7;
  else bits = st.mode & 7;
  return (bits & need) === need;
}
