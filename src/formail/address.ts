// RFC 822 address skimming as formail does it: walk over one address (or group), copying
// the "machine usable" part to the front of the same buffer (comments and excess blanks
// dropped) and NUL-terminating it. The buffer is a C string: a NUL ends it, and reads past
// its end see NUL.
import { at } from './cbytes.ts';

/** Position of the ')' closing the comment opened at `start` (or of the byte before the end). */
export function skipComment(s: Uint8Array, start: number): number {
  let depth = 1;
  for (;;) {
    const c = at(s, ++start);
    switch (c) {
      case 0:
        return start - 1;
      case 0x29: // )
        if (--depth === 0) return start;
        break;
      case 0x5c: // backslash quotes the next byte
        start++;
        break;
      case 0x28: // (
        depth++;
        break;
    }
  }
}

function put(s: Uint8Array, i: number, c: number): void {
  if (i < s.length) s[i] = c;
}

/**
 * skipwords(): copy the address starting at `start` to `start` itself (canonicalised) and
 * return where scanning stopped: at the next word when a blank separated two words, at a
 * ',' or at '<'. The canonical form is NUL-terminated unless scanning stopped at a '<'.
 * `s` needs two spare bytes past the C string (re-bracketing can grow it).
 */
export function skipWords(s: Uint8Array, start: number): number {
  let group = 1;
  let hitspc = 0;
  let machref = 0;
  let delim = 0;
  let target = start;
  const oldstart = start;
  if (at(s, start) === 0x3c) {
    start++;
    machref = 1;
  }
  for (;;) {
    const c = at(s, start);
    let quoted = false;
    switch (c) {
      case 0x3c: // <
        if (machref) {
          // cannot be nested, so start over
          target = oldstart;
          hitspc = 0;
          start++;
          continue;
        }
        return start;
      case 0x28: // ( comment
        start = skipComment(s, start);
        hitspc |= 1;
        start++;
        continue;
      case 0x20: case 0x09: case 0x0a:
        hitspc |= 1;
        start++;
        continue;
      case 0x3b: // ;
      case 0x2c: // ,
        if (c === 0x3b && group === 2) put(s, start + 1, 0); // terminates the group
        if (group === 2) {
          hitspc = 0;
          put(s, target++, at(s, start++));
          continue;
        }
        if (machref) {
          // embedded ,; in a machine reference
          machref = 2;
          hitspc = 0;
          put(s, target++, at(s, start++));
          continue;
        }
        put(s, target, 0);
        return start;
      case 0: case 0x3e: // end, >
        return finish(s, target, start, oldstart, machref);
      case 0x3a: // :
      case 0x40: // @
      case 0x2e: // .
        if (c === 0x3a && group === 1) group = 2; // groupies!
        if (group === 1) group = 0; // you had your chance, and you blew it, no group
        hitspc = 0;
        put(s, target++, at(s, start++));
        continue;
      case 0x5b: // [ domain literal
        delim = 0x5d;
        quoted = true;
        break;
      case 0x22: // "
        put(s, target++, (delim = 0x22));
        start++;
        quoted = true;
        break;
      default:
        if (!machref && hitspc === 3 && target > oldstart) return finish(s, target, start, oldstart, machref);
        if (c === 0x5c && at(s, start + 1)) {
          put(s, target++, 0x5c);
          start++;
        }
        hitspc = 2;
        put(s, target++, at(s, start++));
        continue;
    }
    if (quoted) {
      // copy up to the corresponding delimiter
      for (;;) {
        const i = at(s, start++);
        put(s, target++, i);
        if (!i || i === delim) break;
        if (i === 0x5c && at(s, start)) put(s, target++, at(s, start++));
      }
      hitspc = 2;
      if (start > s.length) return s.length; // ran off the end of the string
    }
  }
}

function finish(s: Uint8Array, target: number, start: number, oldstart: number, machref: number): number {
  if (machref === 2) {
    // embedded ,; so it has to be encapsulated again
    put(s, target++, 0x3e);
    s.copyWithin(oldstart + 1, oldstart, Math.min(target, s.length - 1));
    target++;
    put(s, oldstart, 0x3c);
  }
  put(s, target, 0);
  return start;
}
