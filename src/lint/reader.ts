// An rcfile read character by character the way the engine's RcReader reads it (same
// operations, same continuation rules), but remembering positions, so that every finding can
// be reported as line:column. Text is latin1, one char per byte; columns count bytes.
import { EOF, RcCursor } from '../rc/reader.ts';

export { EOF };

export interface Pos {
  line: number;
  col: number;
}

export class LintReader extends RcCursor {
  pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    super();
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) this.lineStarts.push(i + 1);
  }

  /** Line and column (both 1-based) of an offset. */
  at(offset: number): Pos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.lineStarts[lo]! + 1 };
  }

  /** The text of the line holding `offset` (without its newline). */
  lineText(offset: number): string {
    const { line } = this.at(offset);
    const start = this.lineStarts[line - 1]!;
    const end = this.text.indexOf('\n', start);
    return this.text.slice(start, end < 0 ? this.text.length : end);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  getc(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos++) : EOF;
  }

  ungetc(c: number): void {
    if (c !== EOF) this.pos--;
  }

  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : EOF;
  }

  atEof(): boolean {
    return this.pos >= this.text.length;
  }

  override getLine(): string | null {
    const start = this.pos;
    if (start >= this.text.length) return null;
    const nl = this.text.indexOf('\n', start);
    const end = nl < 0 ? this.text.length : nl;
    this.pos = nl < 0 ? end : nl + 1;
    return this.text.slice(start, end);
  }
}
