// The benchmark's own one-process runners, bundled by bench/inproc-build.ts the way
// scripts/build.mjs bundles sluice (esbuild, minified) and run as a child process:
//
//   node inproc.mjs loop RCFILE DIR
//       runProcmail(['-m', RCFILE]) on every DIR/*.eml in turn, in this one process; prints
//       {"messages", "seconds", "failed"} as JSON, seconds timed around the loop only (no
//       process start, no module loading)
//   node inproc.mjs formail ARG...     (stdin: an mbox)
//       formail(1) with ARGs whose -s command, when it is `procmail`, runs in this process
//       (runProcmail) instead of being spawned: the fallback for `sluice formail -s procmail`
//       while the CLI cannot do that itself
import * as fs from 'node:fs';
import { basename, join } from 'node:path';
import { fdSource, writeAll } from '../src/cli/formail.ts';
import { runProcmail } from '../src/cli/procmail.ts';
import { runFormail, type SpawnFn } from '../src/formail/index.ts';
import { nodeSpawn } from '../src/formail/spawn-node.ts';

/** formail hands argv over as latin1 strings (one char per byte); runProcmail takes process.argv-style strings. */
const fromLatin1 = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');

async function loop(rc: string, dir: string): Promise<number> {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().map((f) => join(dir, f));
  let failed = 0;
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const code = await runProcmail(['-m', rc], { stdin: fs.readFileSync(f), env: process.env });
    if (code !== 0) failed++;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ messages: files.length, seconds, failed }) + '\n');
  return failed ? 1 : 0;
}

async function formail(args: string[]): Promise<number> {
  const stderr = (b: Buffer): void => writeAll(2, b);
  const spawnOther = nodeSpawn(stderr);
  const spawn: SpawnFn = async (argv, input, env, opts) => {
    if (basename(argv[0] ?? '') === 'procmail') return runProcmail(argv.slice(1).map(fromLatin1), { stdin: input, env });
    return spawnOther(argv, input, env, opts);
  };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return runFormail(
    args.map((a) => Buffer.from(a, 'utf8')),
    { stdin: fdSource(0), stdout: (b) => writeAll(1, b), stderr, env, spawn },
  );
}

async function main(argv: string[]): Promise<number> {
  const [mode, ...rest] = argv;
  if (mode === 'loop' && rest.length === 2) return loop(rest[0]!, rest[1]!);
  if (mode === 'formail') return formail(rest);
  process.stderr.write('usage: inproc.mjs loop RCFILE DIR | inproc.mjs formail ARG...\n');
  return 64;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`inproc: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 75;
  },
);
