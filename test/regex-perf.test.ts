// Matching is linear in the text: a pathological header four times as large takes about
// four times as long (a backtracking engine, or a quadratic search loop, would take 16x
// or far more). Asserted as scaling ratios with generous bounds, never as fixed timeouts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileProcmailRegex } from '../src/regex/index.ts';

const SMALL = 1 << 17;
/** For the counting tests, which find a match at nearly every byte. */
const SMALL_COUNT = 1 << 15;
/** Linear would be 4; quadratic 16. */
const MAX_RATIO = 9;

/** Best of a few runs, to keep scheduler noise out of the ratio. */
function bestTime(run: () => unknown): number {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t0 = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  return best;
}

function assertLinear(
  name: string, makeText: (n: number) => string, run: (text: string) => unknown, size = SMALL,
): void {
  const small = makeText(size);
  const large = makeText(size * 4);
  run(small); // warm up: compile the programs, let the JIT settle
  const ratio = bestTime(() => run(large)) / bestTime(() => run(small));
  assert.ok(ratio < MAX_RATIO, `${name}: 4x the text took ${ratio.toFixed(1)}x the time`);
}

const header = (n: number): string => 'Subject: x\nX-Foo: ' + 'a'.repeat(n) + '!\n\n';
const compile = (pattern: string) => compileProcmailRegex(pattern, { caseSensitive: false });

describe('linear time', () => {
  it('(a+)+$ against a long run of a without a newline', () => {
    const c = compile('(a+)+$');
    assertLinear('test', header, (text) => assert.equal(c.test(text), false));
  });

  it('nested alternatives that never match', () => {
    const c = compile('^X-Foo: ((a|aa)+)+b');
    assertLinear('test', header, (text) => assert.equal(c.test(text), false));
  });

  it('MATCH extraction over a long line', () => {
    const c = compile('^X-Foo: \\/(a|aa)+!');
    assertLinear('exec', header, (text) => assert.equal(c.exec(text)?.match?.length, text.length - 20));
  });

  it('counting a match at every byte', () => {
    const c = compile('a');
    assertLinear('count', header, (text) => assert.equal(c.count(text), text.length - 21), SMALL_COUNT);
  });

  it('counting with \\/ where a branch without \\/ matches every byte', () => {
    const c = compile('\\/x|a');
    // every a, plus the x of "Subject: x" and of "X-Foo"
    assertLinear('count', header, (text) => assert.equal(c.count(text), text.length - 21 + 2), SMALL_COUNT);
  });

  it('counting with earliest-end searches that start on every line', () => {
    const lines = (n: number): string => 'Xx: 1\n'.repeat(n / 6);
    const c = compile('^[A-Z][a-z-]+:');
    assertLinear('count', lines, (text) => assert.equal(c.count(text), text.length / 6), SMALL_COUNT * 4);
  });
});
