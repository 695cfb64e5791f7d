// The texts regex conditions search, as latin1 strings (one char per byte).
//
// procmail searches its message buffer in place: H = from the start up to the body (the
// From_ line and any leading newlines included, ending with the empty separator line),
// B = the body up to the last byte, HB = both as one contiguous text. While the header is
// searched, every newline that starts a folded line (followed by space/TAB) is temporarily
// a space; the TAB/space itself stays (`Received: ... (x)<SP><TAB>by`). The same joined bytes
// are what a `?` program reads in an H or HB recipe.
//
// Results are cached per Buffer object (message states are never modified in place: a new
// state is a new Buffer), so repeated conditions on one message cost one conversion.

import { scanHeader } from './header-scan.ts';

const SP = 0x20;

const joinedCache = new WeakMap<Buffer, Buffer>();
const headAreaCache = new WeakMap<Buffer, string>();
const bodyAreaCache = new WeakMap<Buffer, string>();
const wholeAreaCache = new WeakMap<Buffer, { body: Buffer; text: string }>();

/** The header bytes with folded lines joined (newline → space), as H conditions see them. */
export function joinedHead(head: Buffer): Buffer {
  let joined = joinedCache.get(head);
  if (joined === undefined) {
    const { continuations } = scanHeader(head);
    if (continuations.length === 0) {
      joined = head;
    } else {
      joined = Buffer.from(head);
      for (const nl of continuations) joined[nl] = SP;
    }
    joinedCache.set(head, joined);
  }
  return joined;
}

/** Text of the H area. */
export function headerArea(head: Buffer): string {
  let text = headAreaCache.get(head);
  if (text === undefined) {
    text = joinedHead(head).toString('latin1');
    headAreaCache.set(head, text);
  }
  return text;
}

/** Text of the B area. */
export function bodyArea(body: Buffer): string {
  let text = bodyAreaCache.get(body);
  if (text === undefined) {
    text = body.toString('latin1');
    bodyAreaCache.set(body, text);
  }
  return text;
}

/** Text of the HB area: joined header and body, one contiguous text (`$^` may span the seam). */
export function wholeArea(head: Buffer, body: Buffer): string {
  const hit = wholeAreaCache.get(head);
  if (hit !== undefined && hit.body === body) return hit.text;
  const text = headerArea(head) + bodyArea(body);
  wholeAreaCache.set(head, { body, text });
  return text;
}

/** The area a condition searches by default (`H`, `B` or both flags) or with `H ??` etc. */
export type Area = 'H' | 'B' | 'HB';

export function areaText(head: Buffer, body: Buffer, area: Area): string {
  return area === 'H' ? headerArea(head) : area === 'B' ? bodyArea(body) : wholeArea(head, body);
}
