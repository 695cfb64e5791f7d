// Header munging: -i (rename to Old-), -I (delete), -R (rename), -u/-U (keep first/last).
import { COLON, GT, NL, SP, TAB, cEnd, isFromLine } from './cbytes.ts';
import { deleteAfter, findField } from './fields.ts';
import type { FieldList, Link } from './fields.ts';
import type { FormailOptions } from './options.ts';

const OLD_ = Buffer.from('Old-', 'latin1');

/**
 * renfield(): replace the first `oldLen` bytes of the field after `link` with `newName`;
 * a new name ending in ':' replaces the whole old name. A postmark's ">From" continuation
 * lines become ordinary continuations and the other way round. `nameEndsInColon` decides
 * for an empty new name (formail looks at the byte before it).
 */
export function renameField(link: Link, oldLen: number, newName: Uint8Array, nameEndsInColon = false): void {
  const p = link.next!;
  const t = Buffer.from(p.text);
  // formail NUL-terminates the field in place of its newline and uses C string functions
  const end = cEnd(t.subarray(0, t.length - 1));
  if (isFromLine(t)) {
    for (let k = t.indexOf('\n>'); k >= 0 && k + 1 < end; k = t.indexOf('\n>', k + 1)) t[k + 1] = SP;
  }
  let replaceAll = false;
  if (newName.length === 5 && isFromLine(newName)) {
    for (let k = t.indexOf(NL); k >= 0 && k < end; k = t.indexOf(NL, k + 1)) {
      if (k + 1 < end && (t[k + 1] === SP || t[k + 1] === TAB)) t[k + 1] = GT;
    }
    replaceAll = true;
  } else if (newName.length ? newName[newName.length - 1] === COLON : nameEndsInColon) {
    replaceAll = true;
  }
  if (replaceAll) oldLen = p.idLen;
  p.idLen += newName.length - oldLen;
  p.text = Buffer.concat([newName, t.subarray(oldLen)]);
}

/** procfields(): apply -i -I -R -u -U to the header. */
export function processFields(header: FieldList, o: FormailOptions, sareply: boolean): void {
  let link: Link = header;
  let f = link.next;
  while (f) {
    let fp2 = sareply ? null : findField(f, o.i);
    if (fp2 && !(o.areply && f.idLen >= fp2.text.length - 1)) {
      renameField(link, 0, OLD_); // implicitly rename
      f = link.next!;
    } else if ((fp2 = findField(f, o.I)) && !(sareply && f.idLen < fp2.text.length - 1)) {
      f = deleteAfter(link);
      continue;
    } else if ((fp2 = findField(f, o.R))) {
      renameField(link, fp2.idLen, fp2.text.subarray(fp2.idLen), fp2.idLen > 0 && fp2.text[fp2.idLen - 1] === COLON);
      f = link.next!;
    }
    const uf = findField(f, o.u, true);
    if (uf && !uf.ref) {
      uf.ref = link; // first occurrence: keep it
    } else if ((fp2 = findField(f, o.U, true))) {
      if (fp2.ref) {
        // drop the previous occurrence, and repair links that went through it
        const previous = fp2.ref.next!;
        if (link === previous) link = fp2.ref;
        for (let e = o.U.next; e; e = e.next) if (e.ref === previous) e.ref = fp2.ref;
        deleteAfter(fp2.ref);
      }
      fp2.ref = link; // keep the last one
    } else if (uf) {
      f = deleteAfter(link); // a later occurrence of a -u field
      continue;
    }
    link = link.next!;
    f = link.next;
  }
}
