// Who sent this mail? formail scores every sender-ish field and keeps the best address:
// for the From_ line it generates and for -D (duplicates per sender) the envelope order
// (From_ > Return-Path > ...); for auto-replies with -t the header order (Reply-To > From >
// ...), or with -t -a Resent- the Resent- fields first.
import { NL, SP, at, caseEq, cEnd, skipBlanks } from './cbytes.ts';
import type { Field } from './fields.ts';
import { skipWords } from './address.ts';

interface SenderField {
  name: Buffer;
  /** weight when replying to the header sender (-t) */
  header: number;
  /** weight when replying to the header sender, Resent- fields preferred (-t -a Resent-) */
  resent: number;
}

const f = (name: string, header: number, resent: number): SenderField => ({ name: Buffer.from(name, 'latin1'), header, resent });

/** In order of importance for envelope replies and From_ lines: the index is that weight. */
const SENDER_FIELDS: readonly SenderField[] = [
  f('Reply-To:', 8, 7),
  f('From:', 7, 6),
  f('Sender:', 6, 5),
  f('Resent-Reply-To:', 0, 10),
  f('Resent-From:', 0, 9),
  f('Resent-Sender:', 0, 8),
  f('Path:', 1, 0),
  f('Return-Receipt-To:', 2, 1),
  f('Errors-To:', 3, 2),
  f('Return-Path:', 5, 4),
  f('From ', 4, 3),
];
const FROM_LINE = SENDER_FIELDS.length - 1;
const RETURN_PATH = 9;
/** How much a dubious address form costs: "user" x4, .UUCP x3, user@host x2, bang path x1. */
const PENALTY = SENDER_FIELDS.length + 1;

const REMOTE_FROM = Buffer.from(' remote from ', 'latin1');
const FORWARDED_BY = Buffer.from(' forwarded by ', 'latin1');
const NULL_SENDER = Buffer.from('<>', 'latin1');
const UUCP = Buffer.from('.UUCP', 'latin1');

/** strchr within the C string starting at `from`: index or -1. */
function cstrchr(s: Uint8Array, from: number, c: number): number {
  for (let k = from; k < s.length; k++) {
    if (s[k] === c) return k;
    if (s[k] === 0) return -1;
  }
  return -1;
}

/** strstr within the C string starting at `from`: index or -1. */
function cstrstr(s: Uint8Array, from: number, needle: Uint8Array): number {
  if (from >= s.length) return -1;
  const end = cEnd(s, from);
  const k = Buffer.from(s.buffer, s.byteOffset + from, end - from).indexOf(needle);
  return k < 0 ? -1 : from + k;
}

function hasAny(s: Uint8Array, chars: string): boolean {
  for (const c of s) if (chars.includes(String.fromCharCode(c))) return true;
  return false;
}

/** A C string buffer holding `b`, NUL-terminated, with two spare bytes (as formail allocates). */
function cbuf(b: Uint8Array): Uint8Array {
  const t = new Uint8Array(b.length + 3);
  t.set(b);
  return t;
}

export class SenderPicker {
  /** Weight of the address picked last (formail keeps it across fields and messages). */
  private lastWeight = 0;

  /**
   * getsender(): consider one header field; returns the best address so far (`current`
   * unless this field offers a better one).
   */
  consider(current: Buffer | null, fld: Field, isFirstField: boolean, areply: boolean, headreply: number): Buffer | null {
    const j = fld.idLen;
    let i = SENDER_FIELDS.length - 1;
    while (i >= 0 && !(SENDER_FIELDS[i]!.name.length === j && caseEq(SENDER_FIELDS[i]!.name, 0, fld.text, 0, j))) i--;
    if (i < 0 || (i === FROM_LINE && !isFirstField)) return current;
    const sf = SENDER_FIELDS[i]!;
    let weight = areply && headreply ? (headreply === 1 ? sf.header : sf.resent) : i;

    // the contents as a C string: the final newline becomes the terminator
    const content = fld.text.subarray(j);
    let tmp = cbuf(content);
    tmp[content.length - 1] = 0;
    let chp = 0;

    if (i === FROM_LINE) {
      let saddr = 0;
      if (cstrchr(tmp, saddr, NL) >= 0) weight -= 2; // several From_ lines aren't as trustworthy
      if (tmp[saddr] === NL) {
        const sp = cstrchr(tmp, saddr, SP);
        if (sp >= 0) saddr = sp + 1;
      }
      chp = saddr;
      for (;;) {
        // skip to the last uucp >From line
        let k = cstrchr(tmp, chp, NL);
        if (k < 0) break;
        k = cstrchr(tmp, k, SP);
        if (k < 0) break;
        chp = k + 1;
      }
      const pastad = cstrchr(tmp, chp, SP);
      if (pastad >= 0) {
        let addr: Uint8Array = tmp.slice(chp, pastad);
        if (!addr.includes(0x40)) addr = bangPath(tmp, saddr, addr); // no domain: bang away
        const withBracket = new Uint8Array(addr.length + 1);
        withBracket[0] = 0x3c; // '<': read as a machine address below
        withBracket.set(addr, 1);
        tmp = cbuf(withBracket);
        chp = 0;
      }
    }

    for (;;) {
      chp = skipBlanks(tmp, chp);
      if (at(tmp, chp) !== NL) break;
      chp++;
    }
    let saddr = -1;
    for (;;) {
      const c = at(tmp, chp);
      if (c === 0) break;
      if (c === 0x3c) {
        saddr = chp;
        skipWords(tmp, saddr);
        break;
      }
      if (saddr < 0) saddr = chp;
      chp = skipWords(tmp, chp);
    }
    if (saddr < 0) return current;
    const addr = tmp.subarray(saddr, cEnd(tmp, saddr));
    if (addr.length) {
      if (!hasAny(addr, '@!/')) weight -= PENALTY * 4;
      else if (Buffer.from(addr.buffer, addr.byteOffset, addr.length).includes(UUCP)) weight -= PENALTY * 3;
      else if (addr.includes(0x40) && !addr.includes(0x2e)) weight -= PENALTY * 2;
      else if (addr.includes(0x21)) weight -= PENALTY;
      if (!current || weight > this.lastWeight) {
        this.lastWeight = weight;
        return Buffer.from(addr);
      }
    } else if (i === RETURN_PATH) {
      // an empty Return-Path: <> always wins
      this.lastWeight = PENALTY;
      return NULL_SENDER;
    }
    return current;
  }
}

/** "From user date remote from host" lines: host!...!user. */
function bangPath(tmp: Uint8Array, saddr: number, user: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (;;) {
    let p1 = cstrstr(tmp, saddr, REMOTE_FROM);
    const p2 = cstrstr(tmp, saddr, FORWARDED_BY);
    if (p2 < 0 && p1 < 0) break;
    if (p1 < 0 || (p2 >= 0 && p2 < p1)) p1 = p2 + FORWARDED_BY.length;
    else p1 += REMOTE_FROM.length;
    for (;;) {
      const c = at(tmp, p1++);
      if (c === 0 || c === NL) {
        out.push(0x21);
        break;
      }
      out.push(c);
    }
    saddr = p1;
  }
  for (const c of user) out.push(c);
  return Uint8Array.from(out);
}
