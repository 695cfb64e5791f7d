// The message as the engine sees it while it runs: the current header and body (filters may
// replace them), the search areas procmail's conditions use, and the log abstract. The rules
// themselves live in src/message; this only keeps the current state.
import type { MailParts } from './effects.ts';
import {
  areaText, conditionInput, fromBlockLength, logAbstract, rereadMessage, type Area, type Message,
} from '../message/index.ts';

export class MailView {
  constructor(private msg: Message, private readonly berkeley: boolean) {}

  get head(): Buffer {
    return this.msg.head;
  }
  get body(): Buffer {
    return this.msg.body;
  }
  get contentLength(): boolean {
    return this.msg.contentLength;
  }
  /** Body offset from which mbox writing quotes "From " lines (Content-Length aware). */
  get quoteFromBody(): number {
    return this.msg.quoteFromBody;
  }
  parts(): MailParts {
    return { head: this.msg.head, body: this.msg.body };
  }
  /** Length of the whole message ("filled"), for `< n` / `> n`. */
  size(): number {
    return this.msg.head.length + this.msg.body.length;
  }

  /** The text conditions search: the header with folded lines joined, the body, or both. */
  areaText(area: Area): string {
    return areaText(this.msg.head, this.msg.body, area);
  }
  areaSize(area: Area): number {
    return area === 'H' ? this.msg.head.length : area === 'B' ? this.msg.body.length : this.size();
  }
  /** What a `?` program reads (procmail's trailing newline included). */
  conditionInput(area: Area): Buffer[] {
    return conditionInput(this.msg.head, this.msg.body, area);
  }

  /** Forwarded mail leaves off the leading From_ line ("it confuses some mailers"). */
  partsWithoutFrom(part: MailParts): MailParts {
    const n = fromBlockLength(part.head);
    return n ? { head: part.head.subarray(n), body: part.body } : part;
  }

  /** An `f` filter's output replaces what it was fed. */
  replace(part: 'whole' | 'head' | 'body', output: Buffer): void {
    this.msg = rereadMessage(this.msg, part, output, this.berkeley);
  }

  abstract(folder: string, bytes: number): string {
    return logAbstract(this.msg.head, folder, bytes);
  }

  clone(): MailView {
    return new MailView({ ...this.msg }, this.berkeley);
  }
}
