// Reads rcfiles character by character, the way procmail does: the interpreter executes
// while it reads (assignments take effect immediately, INCLUDERC pushes a file, SWITCHRC
// replaces one), so the reader is a stack of files with a position, not a parsed tree.
// Text is latin1 (one char per byte): rcfiles are bytes, like the mail.

export const EOF = -1;

/** Anything readparse() can read from: the rc stream, or a string (conditions, command lines). */
export interface CharSource {
  getc(): number;
}

export class StringSource implements CharSource {
  private pos = 0;
  constructor(private readonly text: string) {}
  getc(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos++) : EOF;
  }
}

/**
 * Reading operations shared by everything that walks rc text the way procmail does (the
 * engine's RcReader, the linter's reader): subclasses supply getc/ungetc/atEof.
 */
export abstract class RcCursor implements CharSource {
  abstract getc(): number;
  /** Push back the character just read (only original characters, never EOF). */
  abstract ungetc(c: number): void;
  abstract atEof(): boolean;

  /** Read a character only if it is `c`. */
  test(c: number | string): boolean {
    const want = typeof c === 'string' ? c.charCodeAt(0) : c;
    const got = this.getc();
    if (got === want) return true;
    this.ungetc(got);
    return false;
  }

  /** Skip blanks and tabs; true when any were skipped. */
  skipSpace(): boolean {
    let any = false;
    while (this.test(0x20) || this.test(0x09)) any = true;
    return any;
  }

  skipLine(): void {
    for (;;) {
      const c = this.getc();
      if (c === 0x0a || c === EOF) return;
    }
  }

  /** Read the rest of the line (without the newline). `null` at EOF with nothing read. */
  getLine(): string | null {
    let s = '';
    for (;;) {
      const c = this.getc();
      if (c === 0x0a) return s;
      if (c === EOF) return s.length ? s : null;
      s += String.fromCharCode(c);
    }
  }

  /**
   * Read a logical line: a trailing backslash continues it on the next line. The backslash is
   * kept (followed by the newline) unless the line holds nothing but the backslash, as procmail's
   * getlline does; squeeze() later drops the backslash-newline pairs where procmail does.
   */
  getLogicalLine(): string {
    let out = '';
    for (;;) {
      const line = this.getLine();
      if (line === null) return out;
      if (line.endsWith('\\')) {
        out += line.length > 1 ? line : '';
        out += '\n';
        continue;
      }
      return out + line;
    }
  }

  /**
   * procmail's gobenv(): read a variable name (a letter or '_', then letters, digits, '_').
   * `usable` when a blank, newline or '=' follows; `next` is that following character (unread).
   */
  readName(): { name: string; usable: boolean; next: number } {
    let name = '';
    let c = this.getc();
    if (c !== EOF && isNameStart(c)) {
      do {
        name += String.fromCharCode(c);
        c = this.getc();
      } while (c !== EOF && (isNameStart(c) || (c >= 0x30 && c <= 0x39)));
    }
    this.ungetc(c);
    const usable = name !== '' && (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x3d);
    return { name, usable, next: c };
  }
}

function isNameStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

interface Frame {
  /** Name as procmail reports it in $_ (MAILDIR-prefixed when relative). */
  name: string;
  text: string;
  pos: number;
  /** ifstack depth when this file was entered: braces never match across files. */
  ifdepth: number;
}

export class RcReader extends RcCursor {
  private frames: Frame[] = [];

  get depth(): number {
    return this.frames.length;
  }
  get open(): boolean {
    return this.frames.length > 0;
  }
  get current(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }
  /** $_ : the name of the rcfile being read. */
  get name(): string {
    return this.current?.name ?? '';
  }

  push(name: string, text: string, ifdepth: number): void {
    this.frames.push({ name, text, pos: 0, ifdepth });
  }

  /** Drop the current file; returns false when no file is left. */
  pop(): boolean {
    this.frames.pop();
    return this.frames.length > 0;
  }

  closeAll(): void {
    this.frames = [];
  }

  /** SWITCHRC: replace the current file with another one (or restart it). */
  replace(name: string, text: string): void {
    const f = this.current;
    if (!f) return;
    f.name = name;
    f.text = text;
    f.pos = 0;
  }

  /** Make the current file look finished (SWITCHRC to nothing). */
  exhaust(): void {
    const f = this.current;
    if (f) f.pos = f.text.length;
  }

  getc(): number {
    const f = this.current;
    if (!f || f.pos >= f.text.length) return EOF;
    return f.text.charCodeAt(f.pos++);
  }

  /** Push back the character just read (only original characters, never EOF). */
  ungetc(c: number): void {
    if (c !== EOF && this.current) this.current.pos--;
  }

  atEof(): boolean {
    const f = this.current;
    return !f || f.pos >= f.text.length;
  }

  /** 1-based line number of the current position (for diagnostics file:line). */
  lineNumber(): number {
    const f = this.current;
    if (!f) return 0;
    let n = 1;
    for (let i = 0; i < f.pos && i < f.text.length; i++) if (f.text.charCodeAt(i) === 0x0a) n++;
    return n;
  }

  /** A copy of the reader state (procmail's `c` on a block forks a clone that keeps reading). */
  clone(): RcReader {
    const r = new RcReader();
    r.frames = this.frames.map((f) => ({ ...f }));
    return r;
  }
}
