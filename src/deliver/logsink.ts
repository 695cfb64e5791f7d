// Where procmail's diagnostics go: the LOGFILE when one is open, else our stderr. Writes are
// synchronous appends so that our lines and those of children (who get the same descriptor
// as their stderr) stay in the order they were produced.
import * as fs from 'node:fs';
import { fsPath, textBytes } from './oschars.ts';
import { NORM_PERM } from './mbox.ts';

const STDERR = 2;

export class LogSink {
  private fd = STDERR;

  /** The descriptor children get as stderr. */
  get descriptor(): number {
    return this.fd;
  }

  /** A LOGFILE is open (procmail's logopened). */
  get toFile(): boolean {
    return this.fd !== STDERR;
  }

  write(text: string): void {
    if (!text) return;
    this.writeBytes(textBytes(text));
  }

  /** Raw bytes (a program's diagnostics run in-process). */
  writeBytes(buf: Buffer): void {
    let off = 0;
    try {
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    } catch {
      // a log that cannot be written (disk full, closed stderr) must not stop delivery
    }
  }

  /**
   * LOGFILE=path: open for appending (created 0666 & ~umask, plus o+x when the umask allows
   * it, like every file procmail creates). On failure the previous destination stays, as in
   * procmail. undefined goes back to stderr.
   */
  open(path: string | undefined): boolean {
    if (path === undefined) {
      this.closeFile();
      return true;
    }
    let fd: number;
    try {
      fd = fs.openSync(fsPath(path), fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, NORM_PERM);
    } catch {
      return false;
    }
    this.closeFile();
    this.fd = fd;
    return true;
  }

  close(): void {
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd !== STDERR) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = STDERR;
    }
  }
}
