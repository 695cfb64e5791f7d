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

// The engine runs many conditions over the same area string: the last few results of the
// per-area work (framing it, lower-casing it) are kept.
const RECENT_AREAS = 4;

/** `derive`, remembering its answer for the most recent texts. */
function forRecentAreas(derive: (text: string) => string): (text: string) => string {
  const recent: Array<{ text: string; out: string }> = [];
  return (text) => {
    for (const hit of recent) if (hit.text === text) return hit.out;
    const out = derive(text);
    recent.unshift({ text, out });
    if (recent.length > RECENT_AREAS) recent.pop();
    return out;
  };
}

/** AREA_START + text + AREA_END. */
export const frameArea = forRecentAreas((text) => AREA_START + text + AREA_END);

/** text.toLowerCase(), for the literal prefilter of compiled.ts. */
export const lowerArea = forRecentAreas((text) => text.toLowerCase());
