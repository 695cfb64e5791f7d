// Who a recipient is: system accounts (/etc/passwd + /etc/group) and virtual users from a
// Dovecot-style passwd-file (`user:password:uid:gid:gecos:home:shell:extra`), so that one
// Unix account can hold many mailboxes. Files are re-read when they change (checked by
// mtime/size on every lookup, which is one stat per RCPT), and on reload().
import * as fs from 'node:fs';

/** Everything a worker needs to become the user and run the rc as procmail -d would. */
export interface MailUser {
  /** Login name: LOGNAME, the From_ line's recipient, the /var/mail name. */
  name: string;
  uid: number;
  gid: number;
  /** Supplementary groups (system users: from /etc/group; virtual users: none). */
  groups: number[];
  home: string;
  /** true: from the passwd-file (no /var/mail spool; DEFAULT is the Maildir in home). */
  virtual: boolean;
}

export class PasswdFileError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

const NUMERIC = /^\d+$/;

/**
 * Parses a Dovecot-style passwd-file. Blank lines and `#` comments are skipped; uid, gid and
 * home are required (an entry without them cannot be delivered to, so it is an error).
 */
export function parsePasswdFile(text: string, file: string): Map<string, MailUser> {
  const users = new Map<string, MailUser>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const f = line.split(':');
    const [name = '', , uid = '', gid = '', , home = ''] = f;
    const where = i + 1;
    if (!name) throw new PasswdFileError(file, where, 'empty user name');
    if (!NUMERIC.test(uid)) throw new PasswdFileError(file, where, `user "${name}": uid "${uid}" is not a number`);
    if (!NUMERIC.test(gid)) throw new PasswdFileError(file, where, `user "${name}": gid "${gid}" is not a number`);
    if (!home.startsWith('/')) throw new PasswdFileError(file, where, `user "${name}": home "${home}" is not an absolute path`);
    users.set(name.toLowerCase(), { name, uid: Number(uid), gid: Number(gid), groups: [], home, virtual: true });
  });
  return users;
}

/** /etc/passwd entries, with supplementary groups from /etc/group. */
export function parseSystemUsers(passwd: string, group: string): Map<string, MailUser> {
  const members = new Map<string, number[]>();
  for (const line of group.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !NUMERIC.test(f[2]!)) continue;
    for (const m of f[3]!.split(',')) {
      if (!m) continue;
      const list = members.get(m) ?? [];
      list.push(Number(f[2]));
      members.set(m, list);
    }
  }
  const users = new Map<string, MailUser>();
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || !NUMERIC.test(f[2]!) || !NUMERIC.test(f[3]!)) continue;
    const name = f[0]!;
    if (users.has(name)) continue; // the first entry wins, as with getpwnam()
    const gid = Number(f[3]);
    const groups = [gid, ...(members.get(name) ?? []).filter((g) => g !== gid)];
    users.set(name, { name, uid: Number(f[2]), gid, groups, home: f[5]!, virtual: false });
  }
  return users;
}

/** A file parsed once per change (mtime, size, inode). */
class CachedFile<T> {
  private stamp = '';
  private value: T | undefined;
  constructor(private readonly path: string, private readonly parse: (text: string) => T) {}

  get(force = false): T {
    const st = fs.statSync(this.path);
    const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (force || stamp !== this.stamp || this.value === undefined) {
      this.value = this.parse(fs.readFileSync(this.path, 'utf8'));
      this.stamp = stamp;
    }
    return this.value;
  }
}

export interface UserDirectoryOptions {
  /** Virtual users (Dovecot passwd-file format). */
  passwdFile?: string;
  /** Look recipients up in /etc/passwd too (after the passwd-file). */
  systemUsers: boolean;
  /** `user+ext@domain` is user `user` with $1 = `ext` (Postfix's recipient_delimiter). '' = off. */
  recipientDelimiter: string;
  /** For tests: other locations of the system files. */
  passwdPath?: string;
  groupPath?: string;
}

export interface Recipient {
  user: MailUser;
  /** The address extension after the delimiter ('' when none): procmail's `-a $EXTENSION`. */
  extension: string;
}

/**
 * Finds the account for an envelope recipient. The domain is ignored (like Dovecot's %n),
 * unless the passwd-file lists the whole address; names are matched exactly first, then
 * lower-cased (MTAs lower-case local parts of local domains).
 */
export class UserDirectory {
  private virtual: CachedFile<Map<string, MailUser>> | undefined;
  private readonly system: CachedFile<Map<string, MailUser>>;
  private readonly opts: UserDirectoryOptions;

  constructor(opts: UserDirectoryOptions) {
    this.opts = opts;
    if (opts.passwdFile) {
      const file = opts.passwdFile;
      this.virtual = new CachedFile(file, (t) => parsePasswdFile(t, file));
    }
    const passwdPath = opts.passwdPath ?? '/etc/passwd';
    const groupPath = opts.groupPath ?? '/etc/group';
    this.system = new CachedFile(passwdPath, (t) => parseSystemUsers(t, readOr(groupPath)));
  }

  /** Re-reads every file now; throws (PasswdFileError, ENOENT) when one is broken. */
  reload(): void {
    this.virtual?.get(true);
    if (this.opts.systemUsers) this.system.get(true);
  }

  /** null = no such user (550). Throws when a file cannot be read (4xx: try again later). */
  lookup(address: string): Recipient | null {
    const at = address.lastIndexOf('@');
    const local = at < 0 ? address : address.slice(0, at);
    const whole = address.toLowerCase();
    let base = local;
    let extension = '';
    const d = this.opts.recipientDelimiter;
    if (d) {
      const k = local.indexOf(d);
      if (k > 0) {
        base = local.slice(0, k);
        extension = local.slice(k + d.length);
      }
    }
    const find = (name: string): MailUser | undefined => {
      const v = this.virtual?.get();
      const hit = v?.get(name.toLowerCase());
      if (hit) return hit;
      if (!this.opts.systemUsers) return undefined;
      const s = this.system.get();
      return s.get(name) ?? s.get(name.toLowerCase());
    };
    const user = (at >= 0 ? this.virtual?.get().get(whole) : undefined) ?? find(local) ?? (base !== local ? find(base) : undefined);
    if (!user) return null;
    return { user, extension: user.name === local || user.name.toLowerCase() === local.toLowerCase() || whole === user.name.toLowerCase() ? '' : extension };
  }
}

function readOr(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
