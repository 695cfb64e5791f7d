// Differential tests on real mail: /usr/bin/formail and sluice's formail on the same
// messages (corpus/mime and corpus/spam-ham) with the same options must give the same
// stdout, stderr and exit status. Every message runs with the default options; a sample
// runs through the whole option matrix (a full run is the same loop over every file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CORPUS, compare, corpusFiles, haveRealFormail, ourFormail, realFormail, scratch } from './formail/diff.ts';

const files = corpusFiles(path.join(CORPUS, 'mime'), path.join(CORPUS, 'spam-ham'));
const skip = !haveRealFormail || files.length === 0 ? 'needs /usr/bin/formail and the corpus' : false;
/** Every 14th message, plus the deliberately malformed ones. */
const sample = files.filter((f, i) => i % 14 === 0 || /malformed/.test(f));

const MATRIX: string[][] = [
  ['-r'], ['-rt'], ['-rk'], ['-rtk'], ['-rkb'], ['-rt', '-a', 'Resent-'],
  ['-c'], ['-z'], ['-cz'], ['-f'], ['-b'], ['-Y'], ['-p', '| '], ['-q-'],
  ['-x', 'Subject:'], ['-zx', 'From:'], ['-cx', 'Received:'], ['-X', 'Received:'], ['-X', ''], ['-X', 'X-'],
  ['-k', '-X', 'From:', '-X', 'Subject:'],
  ['-I', ''], ['-I', 'Received:'], ['-i', 'Subject: new'], ['-a', 'Subject: x', '-a', 'X-New: y'], ['-A', 'X-Loop: me'],
  ['-a', 'Message-ID:'], ['-a', 'Date:'], ['-a', 'From '], ['-i', 'From '], ['-R', 'From ', 'X-From_:'],
  ['-u', 'Received:'], ['-U', 'Received:'], ['-u', 'X-'], ['-U', 'X-'], ['-R', 'Subject:', 'X-Old-Subject:'],
  ['-l', 'folder'],
];

async function diffs(args: string[], list: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of list) {
    const d = await compare(args, fs.readFileSync(f));
    if (d) out.push(`${JSON.stringify(args)} ${f}: ${d.what}\n  expected ${d.expected.slice(0, 400)}\n  actual   ${d.actual.slice(0, 400)}`);
  }
  return out;
}

test('corpus: default options on every message', { skip }, async () => {
  assert.ok(files.length > 1000);
  assert.deepEqual(await diffs([], files), []);
});

test('corpus: option matrix on a sample', { skip, timeout: 300_000 }, async () => {
  assert.ok(sample.length > 70);
  const all: string[] = [];
  for (const args of MATRIX) all.push(...(await diffs(args, sample)));
  assert.deepEqual(all, []);
});

test('corpus: -D and -rD over a stream of messages (statuses and cache bytes)', { skip }, async () => {
  const list = sample.concat(sample.slice(0, 40)); // the repeats are duplicates
  // [args, duplicates at least]: a small cache wraps around and forgets
  const runs: Array<[string[], number]> = [[['-D', '4000', 'cache'], 0], [['-rD', '300', 'cache'], 0], [['-q-', '-D', '100000', 'cache'], 10], [['-q-', '-rD', '100000', 'cache'], 10]];
  for (const [args, minDups] of runs) {
    const [d1, d2] = [scratch('cache1'), scratch('cache2')];
    const bad: string[] = [];
    let dups = 0;
    for (const f of list) {
      const input = fs.readFileSync(f);
      const e = realFormail(args, input, { cwd: d1 });
      const g = await ourFormail(args, input, { cwd: d2 });
      if (e.status === 0) dups++;
      if (e.status !== g.status || !e.stderr.equals(g.stderr)) bad.push(`${f}: ${e.status}/${g.status} ${e.stderr}/${g.stderr}`);
    }
    assert.deepEqual(bad, [], JSON.stringify(args));
    assert.deepEqual(fs.readFileSync(path.join(d2, 'cache')), fs.readFileSync(path.join(d1, 'cache')));
    assert.ok(dups >= minDups, `${JSON.stringify(args)}: duplicates found: ${dups}`);
  }
});
