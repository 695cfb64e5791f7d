// Header fields as formail keeps them: singly linked lists of byte strings, each knowing
// where its field name ends (id length, colon included). Lists are linked through `next`
// from a head object, so "a pointer to the link that points at a field" (formail's
// `struct field**`) is simply the predecessor: a Field or the list head.
import { COLON, NL, SP, TAB, caseEq, isFromLine } from './cbytes.ts';

export interface Link {
  next: Field | null;
}

export interface Field extends Link {
  /** The whole field: name, contents and (normally) the trailing newline. */
  text: Buffer;
  /** Length of the field name including the colon ("From " for the postmark). */
  idLen: number;
  /** For -u/-U entries: the link (predecessor) of the occurrence being kept. */
  ref: Link | null;
}

export class FieldList implements Link {
  next: Field | null = null;

  get first(): Field | null {
    return this.next;
  }

  *[Symbol.iterator](): IterableIterator<Field> {
    for (let f = this.next; f; f = f.next) yield f;
  }

  last(): Field | null {
    let f = this.next;
    if (!f) return null;
    while (f.next) f = f.next;
    return f;
  }

  clear(): void {
    this.next = null;
  }
}

/**
 * breakfield(): where does the field name end (RFC 822)? Returns the name length including
 * the colon, 5 for a "From " postmark, or minus the number of bytes that looked like a
 * name before something disqualified it (0 for an empty or blank-led line).
 */
export function breakField(line: Uint8Array, from = 0, to = line.length): number {
  let len = to - from;
  let p = from;
  while (len) {
    const c = line[p]!;
    if (c === COLON) return p > from ? p - from + 1 : 0;
    if (c === SP || c === TAB) {
      // blanks are fine right before the colon, but only after something else
      if (p > from) {
        let q = ++p;
        while (--len && (line[q] === SP || line[q] === TAB)) q++;
        if (len && line[q] === COLON) return q - from + 1;
        if (isFromLine(line, from)) return 5;
      }
      break;
    }
    len--;
    if (c < 0x20 || c === 0x7f) break; // iscntrl()
    p++;
  }
  return from - p;
}

export function newField(text: Buffer, idLen: number): Field {
  return { text, idLen, next: null, ref: null };
}

/**
 * addfield(): append a copy of `text` to the list. Fields read from the mail (`isHeader`)
 * get id length 0 when they are not valid fields; option fields keep their partial name.
 */
export function addField(
  list: Link, text: Uint8Array, isHeader: boolean, from = 0, to = text.length, stable = false, tail: Link = list,
  knownId?: number,
): Field {
  let pp: Link = tail;
  while (pp.next) pp = pp.next;
  const id = knownId ?? breakField(text, from, to);
  let own: Buffer;
  if (stable && Buffer.isBuffer(text)) {
    // input bytes that never change: the field is a view of them (edits make a copy first)
    own = text.subarray(from, to);
  } else {
    own = Buffer.allocUnsafe(to - from);
    own.set(text.subarray(from, to));
  }
  const f = newField(own, id > 0 ? id : isHeader ? 0 : -id);
  pp.next = f;
  return f;
}

/**
 * findf(): the first entry of `list` whose name is a (case-insensitive) prefix of p's name.
 * For -u/-U lists a partial entry is first specialised into an entry for p's exact name, so
 * that "first/last occurrence" is tracked per distinct field name.
 */
export function findField(p: { text: Uint8Array; idLen: number }, list: Link, specialise = false): Field | null {
  const i = p.idLen;
  let ah: Link = list;
  for (let h = ah.next; h; ah = h, h = h.next) {
    if (i >= h.idLen && caseEq(p.text, 0, h.text, 0, h.idLen)) {
      if (i > h.idLen && specialise) {
        const id = breakField(p.text, 0, i);
        const f = newField(Buffer.from(p.text.subarray(0, i)), id > 0 ? id : -id);
        f.next = h;
        ah.next = f;
        return f;
      }
      return h;
    }
  }
  return null;
}

/** delfield(): unlink the field after `link`; returns the field now in its place. */
export function deleteAfter(link: Link): Field | null {
  const f = link.next;
  if (f) link.next = f.next;
  return link.next;
}

/**
 * Turn a continued field into one line: every newline but a final one becomes a blank.
 * (A field's text may be a view of the caller's input, so it is copied before changing.)
 */
export function concatenate(f: Field): void {
  if (isFromLine(f.text)) return; // the postmark and its >From lines stay as they are
  const end = f.text.length - 1;
  let k = f.text.indexOf(NL);
  if (k < 0 || k >= end) return;
  const t = Buffer.from(f.text);
  while (k >= 0 && k < end) {
    t[k] = SP;
    k = t.indexOf(NL, k + 1);
  }
  f.text = t;
}

/** cleanheader(): remove blanks between a field name and its colon ("Subject :" => "Subject:"). */
export function cleanHeader(list: Link): void {
  for (let f = list.next; f; f = f.next) {
    const t = f.text;
    const colon = f.idLen - 1;
    if (colon < 1 || t[colon] !== COLON || (t[colon - 1] !== SP && t[colon - 1] !== TAB)) continue;
    let q = colon - 1;
    while (q > 0 && (t[q - 1] === SP || t[q - 1] === TAB)) q--;
    const diff = colon - q;
    f.text = Buffer.concat([t.subarray(0, q), t.subarray(colon)]);
    f.idLen -= diff;
  }
}

export function clearRefs(list: Link): void {
  for (let f = list.next; f; f = f.next) f.ref = null;
}
