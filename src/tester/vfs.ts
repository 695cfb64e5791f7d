// The file system as a real run would find it, without changing it: what exists is read with
// stat()/readdir() (read-only), and what the real run would have created so far (Maildir
// directories, new mailboxes, MH message numbers) is kept in an overlay. A mailbox of many
// messages is predicted in order, so message 2 sees the `foo/` Maildir that message 1 made
// and its `foo` folder then means that directory, exactly as in a real run.
import * as fs from 'node:fs';
import { posix } from 'node:path';
import { fsPath } from '../deliver/oschars.ts';
import { allowed, type Identity, type Owned } from './access.ts';

export type EntryType = 'dir' | 'file' | 'other';

export interface Entry extends Owned {
  type: EntryType;
  /** Created by the dry run (exists only in the overlay). */
  virtual: boolean;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** procmail's NORMdirperm and NORMperm, before the umask. */
const DIR_PERM = 0o777;
const FILE_PERM = 0o666;
/** strtol()-style all-digit MH names (as src/deliver/mh.ts counts them). */
const MH_NUMBER = /^[\t\n\v\f\r ]*[+-]?\d+$/;

export class VirtualTree {
  private readonly made = new Map<string, Entry>();
  private readonly mhLast = new Map<string, number>();
  /** What stat() found on disk: the dry run changes nothing, so one look per path is enough. */
  private readonly disk = new Map<string, Entry | null>();

  constructor(readonly who: Identity) {}

  /** What is at `abs` (absolute path), in the overlay or on disk; null when nothing. */
  stat(abs: string): Entry | null {
    const v = this.made.get(abs);
    if (v) return v;
    let e = this.disk.get(abs);
    if (e === undefined) {
      e = null;
      try {
        const st = fs.statSync(fsPath(abs));
        const fmt = st.mode & S_IFMT;
        e = { type: fmt === S_IFDIR ? 'dir' : fmt === S_IFREG ? 'file' : 'other', mode: st.mode, uid: st.uid, gid: st.gid, virtual: false };
      } catch {
        // nothing there
      }
      this.disk.set(abs, e);
    }
    return e;
  }

  isDir(abs: string): boolean {
    return this.stat(abs)?.type === 'dir';
  }

  /** chdir() would succeed: a directory we may search. */
  searchable(abs: string): boolean {
    const e = this.stat(abs);
    return e !== null && e.type === 'dir' && allowed(e, { exec: true }, this.who);
  }

  /** An existing entry we may write (append to a mailbox, open a log). */
  writable(abs: string): boolean {
    const e = this.stat(abs);
    return e !== null && allowed(e, { write: true }, this.who);
  }

  readable(abs: string): boolean {
    const e = this.stat(abs);
    return e !== null && allowed(e, { read: true }, this.who);
  }

  /** A new name could be created in the directory of `abs`. */
  canCreate(abs: string): boolean {
    const dir = this.stat(posix.dirname(abs));
    return dir !== null && dir.type === 'dir' && allowed(dir, { write: true, exec: true }, this.who);
  }

  /**
   * procmail's trymkdir(): what is there, or the directory the real run would create now
   * (recorded in the overlay); null when it could not be created.
   */
  mkdir(abs: string, umask: number): Entry | null {
    const e = this.stat(abs);
    if (e) return e;
    if (!this.canCreate(abs)) return null;
    return this.remember(abs, 'dir', S_IFDIR | (DIR_PERM & ~umask));
  }

  /** A mailbox file the real run creates (O_CREAT) when it first appends. */
  createFile(abs: string, umask: number): Entry | null {
    const e = this.stat(abs);
    if (e) return e;
    if (!this.canCreate(abs)) return null;
    return this.remember(abs, 'file', S_IFREG | (FILE_PERM & ~umask));
  }

  /** The next MH message number in `dir` (and take it, as the real run's file would). */
  takeMhNumber(dir: string): number {
    let last = this.mhLast.get(dir);
    if (last === undefined) {
      last = 0;
      try {
        for (const name of fs.readdirSync(fsPath(dir), { encoding: 'latin1' })) {
          if (!MH_NUMBER.test(name)) continue;
          const n = parseInt(name, 10);
          if (n > last) last = n;
        }
      } catch {
        // a directory only the overlay knows: empty
      }
    }
    this.mhLast.set(dir, last + 1);
    return last + 1;
  }

  /** Paths the dry run would have created, for reports and tests. */
  created(): string[] {
    return [...this.made.keys()];
  }

  private remember(abs: string, type: EntryType, mode: number): Entry {
    const entry: Entry = { type, mode, uid: this.who.uid, gid: this.who.gid, virtual: true };
    this.made.set(abs, entry);
    return entry;
  }
}
