// Header field lookup for the few places outside regex conditions that need a field's
// value (front doors, diagnostics). Works on raw header bytes; never decodes anything.

const NL = 0x0a;
const SP = 0x20;
const TAB = 0x09;

function nameMatches(head: Buffer, at: number, lowerName: string): boolean {
  if (head.length - at < lowerName.length + 1) return false;
  for (let i = 0; i < lowerName.length; i++) {
    let c = head[at + i]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lowerName.charCodeAt(i)) return false;
  }
  return head[at + lowerName.length] === 0x3a;
}

/**
 * Every value of header field `name` (any case, without the colon), in order: the bytes after
 * the colon up to the end of the field, continuation lines included (their newlines kept),
 * without the field's final newline.
 */
export function getFields(head: Buffer, name: string): Buffer[] {
  const lowerName = name.toLowerCase();
  const values: Buffer[] = [];
  for (let line = 0; line < head.length; ) {
    let nl = head.indexOf(NL, line);
    if (nameMatches(head, line, lowerName)) {
      // Extend over continuation lines (starting with a blank).
      while (nl >= 0 && (head[nl + 1] === SP || head[nl + 1] === TAB)) nl = head.indexOf(NL, nl + 1);
      values.push(head.subarray(line + lowerName.length + 1, nl < 0 ? head.length : nl));
    }
    if (nl < 0) break;
    line = nl + 1;
  }
  return values;
}

/** The first value of header field `name`, or undefined. */
export function getField(head: Buffer, name: string): Buffer | undefined {
  return getFields(head, name)[0];
}
