// Fuzzing the rc parser and the engine: every oracle rcfile, mutated at random, run over
// corpus messages on a recording host. No exception may escape, every run must end, and the
// exit status must be one an MTA can act on (never 1, Node's crash code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runRc } from './helpers/engine-run.ts';
import { rng } from './helpers/fixtures.ts';

const shared = process.env.SLUICE_SHARED ?? resolve(import.meta.dirname, '../../shared');
const cases = join(shared, 'oracle/cases');
const corpus = join(shared, 'corpus/mime');

const SPECIAL = ['{', '}', ':', ':0', '*', '!', '|', '$', '"', "'", '`', '\\', '\n', ' ', '=', '?', '<', '>', '^', '\\/', '(', ')', '[', '#', 'INCLUDERC=x', 'SWITCHRC', '${X:-', 'VERBOSE=on\n', 'LOGABSTRACT=all\n', '\0', '\r'];

function mutate(text: string, r: () => number): string {
  let s = text;
  const n = 1 + Math.floor(r() * 6);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.4) s = s.slice(0, at) + SPECIAL[Math.floor(r() * SPECIAL.length)] + s.slice(at);
    else if (op < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 8));
    else s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 256)) + s.slice(at + 1);
  }
  return s;
}

/** Every .eml file below a directory, in a stable order. */
function emlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...emlFiles(p));
    else if (name.endsWith('.eml')) out.push(p);
  }
  return out;
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const guard = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`no result after ${ms} ms (hang?): ${what}`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

const available = existsSync(cases) && existsSync(corpus);

test('mutated rcfiles over corpus messages: no crash, no hang, retryable status', { skip: available ? false : 'no ../shared' }, async () => {
  const rcs = readdirSync(cases).map((c) => readFileSync(join(cases, c, 'rc'), 'latin1'));
  const msgs = emlFiles(corpus).filter((_, k) => k % 9 === 0).map((f) => readFileSync(f));
  assert.ok(rcs.length > 100 && msgs.length > 10);
  const allowed = new Set([0, 64, 65, 66, 67, 69, 70, 71, 73, 75]);
  const r = rng(20261125);
  let runs = 0;
  for (let k = 0; k < 600; k++) {
    const rc = mutate(rcs[k % rcs.length]!, r);
    const msg = msgs[Math.floor(r() * msgs.length)]!;
    const what = `seed iteration ${k}: ${JSON.stringify(rc.slice(0, 200))}`;
    const { exitCode } = await within(runRc(rc, msg, { programs: () => ({ status: 0, stdout: 'x\n' }) }), 10_000, what);
    assert.ok(allowed.has(exitCode), `exit ${exitCode} for ${what}`);
    runs++;
  }
  assert.equal(runs, 600);
});

test('mutated messages through a realistic rc', { skip: available ? false : 'no ../shared' }, async () => {
  const rc = readFileSync(join(cases, '199-realistic-full-rc/rc'), 'latin1');
  const msgs = emlFiles(corpus).map((f) => readFileSync(f));
  const r = rng(7);
  for (let k = 0; k < 300; k++) {
    const base = msgs[k % msgs.length]!;
    const bytes = Buffer.from(base);
    for (let j = 0; j < 10; j++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
    const cut = r() < 0.3 ? bytes.subarray(0, Math.floor(r() * bytes.length)) : bytes;
    const { exitCode } = await within(runRc(rc, cut), 10_000, `message ${k}`);
    assert.ok(exitCode === 0 || exitCode === 73, `exit ${exitCode}`);
  }
});
