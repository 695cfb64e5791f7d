// The system user database, as procmail reads it (getpwuid/getpwnam): Node has no
// getpwnam, so /etc/passwd is read directly, with the process's own view as a fallback.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** A passwd entry: by name, or the one of this process's uid. */
export function lookupUser(byName?: string): PasswdEntry | null {
  const uid = process.getuid?.() ?? 0;
  try {
    for (const line of readFileSync('/etc/passwd', 'latin1').split('\n')) {
      const f = line.split(':');
      if (f.length < 7) continue;
      if (byName !== undefined ? f[0] === byName : Number(f[2]) === uid) {
        return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]!, shell: f[6]! };
      }
    }
  } catch {
    // no passwd file: the process's own view below
  }
  if (byName !== undefined) return null;
  const u = os.userInfo();
  return { name: u.username, uid: u.uid, gid: u.gid, home: u.homedir, shell: u.shell ?? '/bin/sh' };
}
