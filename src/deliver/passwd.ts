// The system user database, as procmail reads it (getpwuid/getpwnam): Node has no
// getpwnam, so /etc/passwd is read directly, with the process's own view as a fallback.
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';

const PASSWD = '/etc/passwd';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

interface ParsedPasswd {
  /** What the file looked like when it was read: a change of any of these rereads it. */
  stamp: string;
  byName: Map<string, PasswdEntry>;
  byUid: Map<number, PasswdEntry>;
}

// One process may look users up for thousands of messages (formail -s procmail): the file
// is parsed once and reread only when it changes.
let parsed: ParsedPasswd | null = null;

function readPasswd(): ParsedPasswd | null {
  const st = statSync(PASSWD, { throwIfNoEntry: false });
  if (!st) return null;
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  if (parsed?.stamp === stamp) return parsed;
  const byName = new Map<string, PasswdEntry>();
  const byUid = new Map<number, PasswdEntry>();
  for (const line of readFileSync(PASSWD, 'latin1').split('\n')) {
    const f = line.split(':');
    if (f.length < 7) continue;
    const e: PasswdEntry = { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]!, shell: f[6]! };
    if (!byName.has(e.name)) byName.set(e.name, e); // the first entry wins, as a linear search
    if (!byUid.has(e.uid)) byUid.set(e.uid, e);
  }
  parsed = { stamp, byName, byUid };
  return parsed;
}

/** A passwd entry: by name, or the one of this process's uid. */
export function lookupUser(byName?: string): PasswdEntry | null {
  const uid = process.getuid?.() ?? 0;
  try {
    const db = readPasswd();
    const e = db && (byName !== undefined ? db.byName.get(byName) : db.byUid.get(uid));
    if (e) return { ...e };
  } catch {
    // no passwd file: the process's own view below
  }
  if (byName !== undefined) return null;
  const u = os.userInfo();
  return { name: u.username, uid: u.uid, gid: u.gid, home: u.homedir, shell: u.shell ?? '/bin/sh' };
}
