// The text a translated pattern is run on.
//
// procmail searches an area as if a newline came before it (when the search starts at the
// beginning of the area or right after a newline) and another one after it: that is what
// lets `^` and `$`, which are plain "one newline" items, act as line anchors at the edges
// (src/regexp.c, bregexec: begofline / wrapup). sluice makes those two virtual newlines
// real characters around the area, so every procmail item consumes exactly one character
// and the RE2 program needs no assertions at all. They are private-use code points: never
// present in a latin1 area text and without case partners.

/** The virtual newline before the area (also what `^^` at the start matches). */
export const AREA_START = '\uE000';
/** The virtual newline after the area. */
export const AREA_END = '\uE001';
export const AREA_START_CODE = 0xe000;
export const AREA_END_CODE = 0xe001;

// The engine runs many conditions over the same area string: keep the last few framings.
const FRAME_CACHE_SIZE = 4;
const recent: Array<{ text: string; framed: string }> = [];

/** AREA_START + text + AREA_END (cached by identity for the most recent texts). */
export function frameArea(text: string): string {
  for (const hit of recent) {
    if (hit.text === text) return hit.framed;
  }
  const framed = AREA_START + text + AREA_END;
  recent.unshift({ text, framed });
  if (recent.length > FRAME_CACHE_SIZE) recent.pop();
  return framed;
}

// ... and the same areas lower-cased, for the literal prefilter of compiled.ts
const lowered: Array<{ text: string; lower: string }> = [];

/** text.toLowerCase() (cached by identity for the most recent texts). */
export function lowerArea(text: string): string {
  for (const hit of lowered) {
    if (hit.text === text) return hit.lower;
  }
  const lower = text.toLowerCase();
  lowered.unshift({ text, lower });
  if (lowered.length > FRAME_CACHE_SIZE) lowered.pop();
  return lower;
}
