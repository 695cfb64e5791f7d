// One formail run: read the mail (or mailbox), rewrite the header as the options ask, pass
// the body on (escaping bogus From_ lines), and when splitting, start over at every message
// boundary. The flow follows formail.c closely, because its exact output (which lines count
// as a header, where a mailbox splits, when blank lines are added) is the specification.
import { COLON, GT, NL, SP, TAB, at, bytes, caseEq, isFromLine, skipBlanks, startsWith } from './cbytes.ts';
import { FieldList, addField, breakField, cleanHeader, clearRefs, concatenate, findField, newField } from './fields.ts';
import type { Field, Link } from './fields.ts';
import { processFields } from './header-edit.ts';
import type { IdCache } from './idcache.ts';
import { isDigestHeader, isRealPostmark } from './boundaries.ts';
import { FilenoCounter } from './fileno.ts';
import { detab, strtol } from './options.ts';
import type { FormailOptions } from './options.ts';
import { ByteReader, EOF, LineBuffer } from './reader.ts';
import { SenderPicker } from './sender.ts';
import { NullSink, PipeSink, StdoutSink } from './sink.ts';
import type { Sink } from './sink.ts';
import { ctime, folderLine, messageId } from './stamp.ts';
import { NAME, USAGE } from './usage.ts';
import type { ChildRunner } from './children.ts';

const EX_USAGE = 64;
const EX_NOUSER = 67;
const EX_UNAVAILABLE = 69;
const EX_IOERR = 74;

const BABYL_SEP1 = 0x1f;
const BABYL_SEP2 = 0x0c;
const MAX_SUBJECT_SHOW = 78;

const ARTICLE_ = bytes('Article ');
const MAIL_FROM = bytes('Mail-from:');
const UNKNOWN = bytes('foo@bar');
const RE_NUL = bytes('Re:\0');
const NLB = Buffer.from([NL]);
const SPB = Buffer.from([SP]);

/** Search keys (as formail's fdate, fcntlength, fFrom_, fsubject). */
const key = (s: string): Field => newField(bytes(s), breakField(bytes(s)));
const K_FROM_ = key('From ');
const K_DATE = key('Date:');
const K_CONTENT_LENGTH = key('Content-Length:');
const K_SUBJECT = key('Subject:');
const K_XLOOP = 'X-Loop:';

const MSGID = bytes('Message-ID:');
const SUBJECT = bytes('Subject:');
const REFERENCES = bytes('References:');
const DATE = bytes('Date:');
const RESENT_MSGID = bytes('Resent-Message-ID:');

/** Is the field name t[0..idLen) `name` (ignoring case)? */
function isName(t: Buffer, idLen: number, name: Buffer): boolean {
  return idLen === name.length && caseEq(t, 0, name, 0, idLen);
}

/** Thrown for formail's exit() calls deep inside the flow. */
export class FormailExit {
  constructor(readonly status: number) {}
}

export interface RunContext {
  stdout: (b: Buffer) => void;
  stderr: (b: Buffer) => void;
  env: Record<string, string>;
  children: ChildRunner;
  idcache: IdCache | null;
  now: () => number;
  pid: number;
  hostname: string;
}

type Saved = Buffer | null;

/** Whether the body loop starts a new message, ends normally or stops (total reached). */
type BodyEnd = 'startover' | 'onlyhead' | 'nconlyhead';

export class FormailRun {
  private readonly buf = new LineBuffer();
  private buflast = EOF;
  private readonly rdheader = new FieldList();
  private rdTail: Field | null = null;
  private readonly nheader = new FieldList();
  private out: Sink;
  private readonly stdoutSink: StdoutSink;
  private totallen = 0;
  private lnl = true;
  private babylstart = false;
  private retval = 0;
  private splitFailed = false;
  private forgetclen = false;
  private readonly sender = new SenderPicker();
  private msgidCount = 0n;
  private subject: Saved = null;
  private references: Saved = null;
  private messageid: Saved = null;
  private date: Saved = null;
  private namep: Buffer | null | undefined = undefined;
  private fileno: FilenoCounter | null = null;
  private env: Record<string, string>;

  constructor(
    private readonly o: FormailOptions,
    private readonly r: ByteReader,
    private readonly ctx: RunContext,
  ) {
    // while splitting onto stdout, messages are not flushed one by one
    this.stdoutSink = new StdoutSink(ctx.stdout, o.split && !o.command.length);
    this.out = this.stdoutSink;
    this.env = ctx.env;
  }

  // ---------------------------------------------------------------- output

  private err(s: string | Buffer): void {
    this.stdoutSink.flush(); // keep the order when both go to the same place
    this.ctx.stderr(typeof s === 'string' ? bytes(s) : s);
  }

  /** putssn(): straight to the output. */
  private put(b: Uint8Array): void {
    this.out.write(b);
  }

  /** lputssn(): output that -l only counts. */
  private lput(b: Uint8Array): void {
    if (this.o.logsummary) this.totallen += b.length;
    else this.out.write(b);
  }

  private lputStable(b: Buffer, from = 0, to = b.length): void {
    if (this.o.logsummary) this.totallen += to - from;
    else this.out.writeStable(b, from, to);
  }

  private lputBuf(): void {
    const b = this.buf;
    if (b.stable) this.lputStable(b.data, b.start, b.end);
    else this.lput(b.bytes());
  }

  /** closemine(): close the current output; a failed write is fatal here. */
  private closemine(): void {
    const failures = this.out.close();
    if (failures) {
      for (let i = 1; i < failures; i++) this.writeFailed(); // earlier messages written together with this one
      if (!this.o.quiet) this.err(`${NAME}: Couldn't write to stdout\n`);
      throw new FormailExit(EX_IOERR);
    }
  }

  /** opensink(): discard what follows. */
  private opensink(): void {
    this.out = new NullSink();
  }

  /** logfolder(): the last line of a -l abstract. */
  private logfolder(): void {
    if (this.o.logsummary) this.put(folderLine(this.o.logsummary, this.totallen));
  }

  // ---------------------------------------------------------------- input

  /** getline(): append the next line to buf; look one byte ahead. */
  private cgetline(): number {
    if (this.buflast === EOF) {
      this.buf.pushByte(NL); // a fake empty line
      return EOF;
    }
    this.r.appendLine(this.buf);
    return (this.buflast = this.r.getc());
  }

  /** `idLen`: breakField() of buf when already known (it only looks at the first line). */
  private addbuf(idLen?: number): Field {
    const b = this.buf;
    // appending walks the list; remembering its end keeps huge headers linear. Only
    // header() changes rdheader otherwise, and it forgets the end first.
    const tail = this.rdheader.next && this.rdTail && !this.rdTail.next ? this.rdTail : this.rdheader;
    const f = addField(this.rdheader, b.data, true, b.start, b.end, b.stable, tail, idLen);
    this.rdTail = f;
    this.buf.clear();
    return f;
  }

  /** readhead(): try to add one header field (with its continuation lines) to rdheader. */
  private readhead(): boolean {
    this.cgetline();
    const b = this.buf;
    const idlen = breakField(b.data, b.start, b.end);
    if (idlen <= 0) return false;
    if (idlen === 5 && isFromLine(b.data, b.start)) {
      if (this.rdheader.next) return false; // a From_ line after fields: not ours
      while (this.buflast === GT) this.cgetline(); // >From lines continue it
    } else {
      while (this.buflast === SP || this.buflast === TAB) this.cgetline();
    }
    this.addbuf(idlen);
    return true;
  }

  /** digheadr(): does the last field read look like the header of a digest message? */
  private digheadr(): boolean {
    return isDigestHeader(this.rdheader.last()!);
  }

  /** artheadr(): a news "Article " line starting a message? */
  private artheadr(): boolean {
    if (!this.rdheader.next && startsWith(this.buf.data, this.buf.start, ARTICLE_)) {
      this.addbuf().idLen = ARTICLE_.length;
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- the run

  async run(): Promise<number> {
    const o = this.o;
    if (o.babyl) this.skipBabylLeader();
    while ((this.buflast = this.r.getc()) === NL); // skip leading empty lines
    if (o.split) {
      if (this.buflast === EOF) return 0; // don't split nothing
      this.fileno = FilenoCounter.from(this.env.FILENO);
      if (!o.nrtotal) {
        // formail closes its stdout here a second time, which fails
        if (!o.quiet) this.err(`${NAME}: Couldn't write to stdout\n`);
        return EX_IOERR;
      }
      this.startprog();
      if (!o.minfields) o.minfields = 2;
    } else if (o.nrskip > 0 || o.nrtotal >= 0 || o.every || o.digest || o.minfields || o.nowait) {
      return this.usage();
    }
    const extracting = !!(o.x.next || o.X.next);
    if ((extracting && o.logsummary) || (o.keepb && !(o.areply || extracting))) return this.lateUsage();
    if (o.headreply === 2) {
      // -a Resent- only modifies -r -t
      this.err(`${NAME}: Invalid field-name: "Resent-"\n`);
      return this.lateUsage();
    }
    this.r.hashing = [...o.a].some((f) => f.idLen + 1 >= f.text.length && this.isMsgIdName(f));
    this.forgetclen = o.digest || o.berkeley || (o.keepb && (o.areply || (!!o.X.next && !findField(K_CONTENT_LENGTH, o.X))));
    if (o.areply) addField(o.i, bytes(K_XLOOP), false); // keep X-Loop: fields

    let first = true;
    for (;;) {
      if (first) {
        first = false;
        if (this.readhead() || (o.digest && this.artheadr())) while (this.readhead());
      } else {
        while (this.readhead());
      }
      cleanHeader(this.rdheader);
      if (!this.header()) break; // only the header was wanted
      const end = await this.body();
      if (end === 'startover') continue;
      if (end === 'nconlyhead') return this.finish(-1);
      break;
    }
    const before = this.ctx.children.started;
    this.closemine();
    return this.finish(this.ctx.children.started > before ? before : -1);
  }

  private usage(): number {
    this.err(USAGE);
    return EX_USAGE;
  }

  /** A usage error found after the first command was started: it still gets (no) input. */
  private async lateUsage(): Promise<number> {
    const status = this.usage();
    if (this.o.split) {
      this.out.close();
      await this.ctx.children.waitAll();
    }
    return status;
  }

  /**
   * After the last message: wait for every command, then formail's exit status. `lastSeq`
   * is the command that got the last message: formail would have found out at once that it
   * did not take all of it, and stopped with EX_IOERR.
   */
  private async finish(lastSeq: number): Promise<number> {
    if (this.o.split) {
      let lastBroken = false;
      for (const f of await this.ctx.children.waitAll()) {
        if (f.inputBroken) {
          if (f.seq === lastSeq) lastBroken = true;
          else this.writeFailed();
        }
        if (this.retval === 0 && f.status !== 0) this.retval = f.status;
      }
      if (lastBroken) {
        if (!this.o.quiet) this.err(`${NAME}: Couldn't write to stdout\n`);
        return EX_IOERR;
      }
    }
    if (this.retval < 0) this.retval = EX_UNAVAILABLE;
    return this.retval !== 0 ? this.retval : this.splitFailed ? EX_IOERR : 0;
  }

  /** Flush stdout on every way out (formail's exit() flushes stdio). */
  flushStdout(): void {
    this.stdoutSink.flush();
  }

  /**
   * Skip an rmail file's leader up to the "\037\f\n" line, then one more line. Like
   * formail, a line that does not start with the separator is skipped from the byte after
   * the one that failed to match (so an empty line takes the next line with it). formail
   * loops forever when the input ends first; here the input just ends.
   */
  private skipBabylLeader(): void {
    const r = this.r;
    for (;;) {
      let c = r.getc();
      if (c === BABYL_SEP1 && (c = r.getc()) === BABYL_SEP2 && (c = r.getc()) === NL) break;
      if (c === EOF) return;
      do c = r.getc();
      while (c !== NL && c !== EOF);
      if (c === EOF) return;
    }
    for (let c = r.getc(); c !== NL && c !== EOF; c = r.getc());
  }

  /** startprog(): where the next message goes (skipped: nowhere). */
  private startprog(): void {
    const o = this.o;
    if (o.nrskip) {
      o.nrskip--;
      this.opensink();
      return;
    }
    if (o.nrtotal > 0) o.nrtotal--;
    if (!o.command.length) {
      this.out = this.stdoutSink;
      return;
    }
    if (this.fileno) this.env = { ...this.env, FILENO: this.fileno.take() };
    const env = this.env;
    const argv = o.command.map((a) => a.toString('latin1'));
    const children = this.ctx.children;
    this.out = new PipeSink((input) => children.start(argv, input, env));
  }

  // ---------------------------------------------------------------- the header

  private isMsgIdName(f: Field): boolean {
    return (
      (f.idLen === MSGID.length && caseEq(f.text, 0, MSGID, 0, MSGID.length)) ||
      (f.idLen === RESENT_MSGID.length && caseEq(f.text, 0, RESENT_MSGID, 0, RESENT_MSGID.length))
    );
  }

  /** Copy a saved field's contents, with a leading blank (loadsaved). */
  private loadSaved(s: Buffer, len = s.length): void {
    if (s[0] !== SP && s[0] !== TAB) this.buf.pushByte(SP);
    this.buf.append(s.subarray(0, len));
  }

  /**
   * Everything between reading the header and passing the body: edit, reply, From_ line,
   * duplicates, abstract, output. False when formail is done after the header.
   */
  private header(): boolean {
    const o = this.o;
    this.rdTail = null;
    const f0 = this.rdheader.next;
    if (f0) {
      if (startsWith(f0.text, 0, ARTICLE_)) {
        f0.text = Buffer.from(f0.text); // (never write into the input)
        f0.text[ARTICLE_.length - 1] = COLON;
      } else if (o.babyl && !o.force && startsWith(f0.text, 0, MAIL_FROM) && isFromLine(f0.text, skipBlanks(f0.text, MAIL_FROM.length))) {
        f0.text = Buffer.from(f0.text.subarray(skipBlanks(f0.text, MAIL_FROM.length)));
        f0.idLen = 5;
      }
    }
    this.totallen = 0;
    this.subject = this.references = this.messageid = this.date = null;
    clearRefs(o.u);
    clearRefs(o.U);
    const wasafrom = !o.force && !!this.rdheader.next && isFromLine(this.rdheader.next.text);
    processFields(this.rdheader, o, o.areply);

    let link: Link = this.rdheader;
    for (let f = link.next; f; ) {
      if (o.zap) {
        const j = f.idLen;
        if (j > 0 && f.text[j - 1] === COLON) {
          const c = at(f.text, j);
          if (c !== SP && c !== TAB && f.text.length > j + 1) {
            f.text = Buffer.concat([f.text.subarray(0, j), SPB, f.text.subarray(j)]);
          } else if (f.text.length <= j + 2) {
            link.next = f.next; // nothing but a blank: zap it
            f = link.next;
            continue;
          }
        }
      }
      if (o.concatenate) concatenate(f);
      this.saveField(f);
      link = f;
      f = f.next;
    }
    // formail weighs every field's sender as it goes; nothing changes the fields before the
    // answer is used, so it is only worked out when needed (not for most split messages)
    this.namep = undefined;
    if (this.ctx.idcache) this.elimdups(o.areply ? this.headerSender() : null);
    let ctlength = 0;
    if (!this.forgetclen) {
      const fl = findField(K_CONTENT_LENGTH, this.rdheader);
      if (fl) ctlength = strtol(fl.text.subarray(0, fl.text.length - 1), K_CONTENT_LENGTH.text.length).value;
    }
    const parked = this.buf.park();
    if (o.areply) {
      this.buildReply(this.headerSender());
    } else if (this.wantFromLine(wasafrom)) {
      const from = this.headerSender();
      const old = this.rdheader.next;
      this.rdheader.next = null;
      this.buf.append(K_FROM_.text);
      this.buf.append(from ?? UNKNOWN);
      this.buf.pushByte(SP);
      if (!this.date || !findField(K_DATE, o.a)) {
        this.buf.pushByte(SP);
        this.buf.append(bytes(ctime(Math.floor(this.ctx.now() / 1000), this.env.TZ)));
      } else {
        this.loadSaved(this.date);
      }
      this.addbuf().next = old;
    }
    // (plain loops over field lists here and below: these run for every message or line)
    for (let fa = o.a.next; fa; fa = fa.next) {
      if (findField(fa, this.rdheader)) continue; // only add what isn't there
      if (fa.idLen + 1 >= fa.text.length && this.isMsgIdName(fa)) addField(this.nheader, this.makeMessageId(fa), false);
      else addField(this.nheader, fa.text, false);
    }
    if (o.logsummary) this.abstractHead();
    this.buf.restore(parked);

    this.flushFields(this.rdheader);
    this.flushFields(this.nheader);
    this.showFields(o.A);
    this.showFields(o.i);
    this.showFields(o.I);
    const extracting = !!(o.x.next || o.X.next);
    if (o.keepb || !extracting) {
      // the header ends with an empty line: the input's own, when that is what is in buf
      // (output then stays one view of the input)
      const b = this.buf;
      if (b.stable && b.length === 1 && b.data[b.start] === NL) this.lputStable(b.data, b.start, b.end);
      else this.lput(NLB);
    }
    if (!o.keepb && (o.areply || extracting)) {
      this.logfolder(); // the rest is not wanted
      if (!o.split) return false;
      this.closemine();
      this.opensink();
    }
    this.lnl = true;
    if (this.buf.length === 1) this.buf.clear(); // the empty line is already out
    if (o.babyl) {
      // skip BABYL's pseudo header up to the empty line
      let c: number;
      let lc = 0;
      for (; (c = this.r.getc()) !== EOF && (c !== NL || lc !== NL); lc = c);
      this.buflast = c;
      this.babylstart = false;
    }
    if (ctlength > 0) this.copyContentLength(ctlength);
    return true;
  }

  /** The sender of the current header, worked out once (undefined: not yet). */
  private headerSender(): Buffer | null {
    if (this.namep === undefined) this.namep = this.findSender();
    return this.namep;
  }

  /** getsender() over the header: the best sender address, if any. */
  private findSender(): Buffer | null {
    const o = this.o;
    let namep: Buffer | null = null;
    for (let f: Field | null = this.rdheader.next; f; f = f.next) {
      namep = this.sender.consider(namep, f, f === this.rdheader.next, o.areply, o.headreply);
    }
    return namep;
  }

  /** Remember Subject:, References:, Message-ID: and Date: contents (the last one wins). */
  private saveField(f: Field): void {
    const j = f.idLen;
    const t = f.text;
    if (t.length - j <= 1) return;
    // (no closure here: this runs for every field, and the bundle names every closure it
    // makes.) Views, not copies: they are used within header(), and nothing writes into a
    // field's text (edits give the field new text).
    if (isName(t, j, SUBJECT)) this.subject = t.subarray(j);
    else if (isName(t, j, REFERENCES)) this.references = t.subarray(j);
    else if (isName(t, j, MSGID)) this.messageid = t.subarray(j);
    else if (isName(t, j, DATE)) this.date = t.subarray(j);
  }

  /** Should a From_ line be made up? */
  private wantFromLine(wasafrom: boolean): boolean {
    const o = this.o;
    if (o.force) return false;
    const f0 = this.rdheader.next;
    if (f0 && isFromLine(f0.text)) return false;
    const fa = findField(K_FROM_, o.a);
    if (fa && K_FROM_.text.length + 1 >= fa.text.length) return true; // -a "From "
    return !wasafrom && !findField(K_FROM_, o.i) && !findField(K_FROM_, o.I) && !findField(K_FROM_, o.R);
  }

  /** -r: throw away the header (but X-Loop: and -i names) and write the reply header. */
  private buildReply(namep: Buffer | null): void {
    const o = this.o;
    let link: Link = this.rdheader;
    for (let f = link.next; f; ) {
      const keep = findField(f, o.i);
      if (!keep || keep.idLen < keep.text.length - 1) {
        link.next = f.next;
        f = link.next;
      } else {
        link = f;
        f = f.next;
      }
    }
    this.buf.append(bytes('To: '));
    if (namep) {
      this.buf.append(namep);
    } else {
      this.retval = EX_NOUSER;
      this.buf.append(UNKNOWN);
    }
    this.buf.pushByte(NL);
    this.addbuf();
    if (this.subject) {
      this.buf.append(bytes('Subject:'));
      // formail means to skip a leading "Re:" but compares sizeof(char*) - 1 bytes of "Re:"
      // with the subject: only "Re:" right before a NUL byte counts, so " Re:" is (nearly) always added
      if (!caseEq(this.subject, skipBlanks(this.subject, 0), RE_NUL, 0, RE_NUL.length)) this.buf.append(bytes(' Re:'));
      this.loadSaved(this.subject);
      this.addbuf();
    }
    if (this.references || this.messageid) {
      this.buf.append(bytes('References:'));
      if (this.references) this.loadSaved(this.references, this.references.length - (this.messageid ? 1 : 0));
      if (this.messageid) this.loadSaved(this.messageid);
      this.addbuf();
    }
    if (this.messageid) {
      this.buf.append(bytes('In-Reply-To:'));
      this.loadSaved(this.messageid);
      this.addbuf();
    }
    processFields(this.rdheader, o, false);
  }

  /** -a Message-ID: (or Resent-Message-ID:) without contents: make one up. */
  private makeMessageId(fa: Field): Buffer {
    const id = messageId(this.r.rhash, this.msgidCount++, this.ctx.pid, Math.floor(this.ctx.now() / 1000), this.ctx.hostname);
    return Buffer.concat([fa.text.subarray(0, fa.idLen), SPB, bytes(`${id}\n`)]);
  }

  /** -l: the From_ line and Subject: of the abstract. */
  private abstractHead(): void {
    const f0 = this.rdheader.next;
    // (formail dereferences a null header here; an empty header simply shows no From_ line)
    if (f0 && isFromLine(f0.text)) this.put(f0.text);
    const fs = findField(K_SUBJECT, this.rdheader);
    if (fs) {
      concatenate(fs);
      const i = fs.text.length - 1;
      const s = Buffer.from(fs.text.subarray(0, i));
      detab(s);
      this.put(SPB);
      this.put(s.subarray(0, Math.min(i, MAX_SUBJECT_SHOW)));
      this.put(NLB);
    }
  }

  /** extractfield(): output one field as -x/-X decide (everything when not extracting). */
  private extract(p: Field): void {
    const o = this.o;
    if (o.x.next || o.X.next) {
      if (findField(p, o.x)) {
        let c = p.idLen;
        let e = p.text.length - 1;
        if (o.zap) {
          c = skipBlanks(p.text, c);
          while (c < e && (p.text[e - 1] === SP || p.text[e - 1] === TAB)) e--;
        }
        this.put(p.text.subarray(c, Math.max(c, e)));
        this.put(NLB);
        return;
      }
      if (!findField(p, o.X)) return;
    }
    this.lput(p.text);
  }

  /** flushfield(): output and forget. */
  private flushFields(list: FieldList): void {
    for (let f = list.next; f; f = f.next) this.extract(f);
    list.clear();
  }

  /** dispfield(): output the option fields that have contents. */
  private showFields(list: FieldList): void {
    for (let f = list.next; f; f = f.next) if (f.idLen + 1 < f.text.length) this.extract(f);
  }

  /** elimdups(): -D. Not splitting, the answer is the exit status; splitting, duplicates vanish. */
  private elimdups(namep: Buffer | null): boolean {
    const o = this.o;
    let key: Buffer | null = namep;
    if (!o.areply) {
      key = null;
      if (this.messageid) {
        const m = this.messageid.subarray(0, this.messageid.length - 1);
        const nul = m.indexOf(0);
        key = nul < 0 ? m : m.subarray(0, nul);
      }
    }
    let dup = false;
    if (key) {
      let k = 0;
      while (key[k] === SP) k++;
      key = key.subarray(k);
      dup = this.ctx.idcache!.seen(key, o.maxlen);
      if (dup && !o.quiet) this.err(Buffer.concat([bytes(`${NAME}: Duplicate key found:`), key, NLB]));
    }
    if (!o.split) throw new FormailExit(dup ? 0 : 1);
    if (dup) {
      this.closemine();
      this.opensink();
    }
    return dup;
  }

  /** Content-Length: the body's first n bytes pass unexamined. */
  private copyContentLength(n: number): void {
    if (this.buf.length) {
      n -= this.buf.length;
      this.lputBuf();
      this.buf.clear();
      this.lnl = false;
    }
    let lwr = NL;
    if (n > 0 && this.buflast !== EOF) {
      const parts = this.r.takeFromLast(n);
      let k = 0;
      let prev = NL;
      for (const p of parts) {
        this.lputStable(p);
        k += p.length;
        prev = p.length >= 2 ? p[p.length - 2]! : p.length === 1 ? lwr : prev;
        lwr = p[p.length - 1]!;
      }
      if (k) this.lnl = prev === NL && lwr === NL;
      n = k === n ? -1 : n - k - 1; // the count formail's loop leaves behind
      this.buflast = this.r.getc();
    } else {
      n--;
    }
    if (this.buflast === NL && lwr !== NL) {
      this.lput(NLB); // just before a line break: wrap up the loose end
      this.buflast = this.r.getc();
    }
    if (!this.o.quiet && n > 0) this.err(`${NAME}: Content-Length: field exceeds actual length by ${n} bytes\n`);
  }

  // ---------------------------------------------------------------- the body

  /** A From_ line in the body: a real postmark (split here) or a bogus one (escape it). */
  private fromLine(f: Field): boolean {
    const o = this.o;
    if (o.split && (this.lnl || o.every) && isRealPostmark(f.text)) return true;
    if (o.bogus) this.lput(o.escap);
    return false;
  }

  private async body(): Promise<BodyEnd> {
    const o = this.o;
    while (this.buf.length || !this.lnl || this.buflast !== EOF) {
      if (!this.buf.length) this.readhead();
      if (!o.babyl || this.babylstart) {
        let candidate = false;
        const f0 = this.rdheader.next;
        if (f0) {
          if (isFromLine(f0.text)) candidate = this.fromLine(f0);
          else candidate = o.split && o.digest && (this.lnl || o.every) && this.digheadr();
        } else if (isFromLine(this.buf.data, this.buf.start)) {
          candidate = this.fromLine(this.addbuf());
        } else {
          candidate = o.split && o.digest && (this.lnl || o.every) && this.artheadr();
        }
        if (candidate) {
          // enough header fields in a row make a new message
          let i = o.minfields;
          while (--i && this.readhead() && this.digheadr());
          if (!i) return this.splitit();
        }
      }
      this.lnl = this.buf.length === 1;
      if (o.babyl && this.buf.firstByte === BABYL_SEP1) {
        this.babylstart = true;
        this.closemine();
        this.opensink();
      }
      if (o.areply && o.bogus) {
        if (this.rdheader.next) {
          // escape the body of the reply, line by line
          for (let f: Field | null = this.rdheader.next; f; f = f.next) {
            const t = f.text;
            let c = 0;
            do {
              this.lput(o.escap);
              const nl = t.indexOf(NL, c);
              const p = nl < 0 ? t.length : nl + 1;
              this.lput(t.subarray(c, p));
              c = p;
            } while (c < t.length);
          }
          this.rdheader.clear();
          continue;
        }
        if (this.buf.length > 1) this.lput(o.escap); // empty lines stay as they are
      } else if (this.rdheader.next) {
        for (let f: Field | null = this.rdheader.next; f; f = f.next) this.lput(f.text);
        this.rdheader.clear(); // buf may still hold a line
        continue;
      }
      this.lputBuf();
      this.buf.clear();
    }
    this.logfolder();
    return 'onlyhead';
  }

  /** A message could not be written completely: formail carries on, but exits EX_IOERR. */
  private writeFailed(): void {
    this.splitFailed = true;
    if (!this.o.quiet) this.err(`${NAME}: Couldn't write to stdout, continuing...\n`);
  }

  /** A new message starts: finish this one, wait for its command, start the next. */
  private async splitit(): Promise<BodyEnd> {
    const o = this.o;
    if (!this.lnl) this.lput(NLB); // end the previous mail with an empty line
    this.logfolder();
    for (let n = this.out.close(); n > 0; n--) this.writeFailed();
    if (o.command.length) {
      if (!o.nowait) {
        const f = await this.ctx.children.waitLast();
        if (f?.inputBroken) this.writeFailed();
        if (f && f.status !== 0 && this.retval === 0) this.retval = f.status;
      } else {
        for (const f of await this.ctx.children.throttle(o.childlimit)) {
          if (f.inputBroken) this.writeFailed();
          if (f.status !== 0) this.retval = f.status;
        }
      }
    }
    if (!o.nrtotal) return 'nconlyhead';
    this.startprog();
    return 'startover';
  }
}
