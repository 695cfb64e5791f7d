// The message as the engine sees it while it runs: the current header and body (filters may
// replace them), the search areas procmail's conditions use, and the log abstract.
import type { MailParts } from './effects.ts';
import { bodyArea, headerArea, logAbstract, splitMail } from '../message/index.ts';

const EMPTY = Buffer.alloc(0);

export class MailView {
  private hArea: string | undefined;
  private bArea: string | undefined;

  constructor(private mail: MailParts, readonly contentLength: boolean) {}

  get head(): Buffer {
    return this.mail.head;
  }
  get body(): Buffer {
    return this.mail.body;
  }
  parts(): MailParts {
    return { head: this.mail.head, body: this.mail.body };
  }
  /** Length of the whole message ("filled"), for `< n` / `> n`. */
  size(): number {
    return this.mail.head.length + this.mail.body.length;
  }

  /** The text conditions search: the header with folded lines joined, the body, or both. */
  areaText(area: 'H' | 'B' | 'HB'): string {
    if (area === 'B') return (this.bArea ??= bodyArea(this.mail.body));
    const h = (this.hArea ??= headerArea(this.mail.head));
    return area === 'H' ? h : h + (this.bArea ??= bodyArea(this.mail.body));
  }
  areaSize(area: 'H' | 'B' | 'HB'): number {
    return area === 'H' ? this.mail.head.length : area === 'B' ? this.mail.body.length : this.size();
  }
  /** What a `?` program reads: the area as procmail holds it while testing (folded header). */
  areaParts(area: 'H' | 'B' | 'HB'): Buffer[] {
    if (area === 'B') return [this.mail.body];
    const h = Buffer.from(this.areaText('H'), 'latin1');
    return area === 'H' ? [h] : [h, this.mail.body];
  }

  /** Forwarded mail leaves off the leading From_ line ("it confuses some mailers"). */
  partsWithoutFrom(part: MailParts): MailParts {
    const h = part.head;
    if (h.length >= 5 && h.toString('latin1', 0, 5) === 'From ') {
      const nl = h.indexOf(0x0a);
      return { head: nl < 0 ? EMPTY : h.subarray(nl + 1), body: part.body };
    }
    return part;
  }

  replaceHead(head: Buffer): void {
    this.set(splitMail(Buffer.concat([head, this.mail.body])));
  }
  replaceBody(body: Buffer): void {
    this.set({ head: this.mail.head, body });
  }
  replaceAll(buf: Buffer): void {
    this.set(splitMail(buf));
  }
  private set(m: MailParts): void {
    this.mail = m;
    this.hArea = this.bArea = undefined;
  }

  abstract(folder: string, bytes: number): string {
    return logAbstract(this.mail.head, folder, bytes);
  }

  clone(): MailView {
    return new MailView({ head: this.mail.head, body: this.mail.body }, this.contentLength);
  }
}
