// Differential testing support: run the real /usr/bin/formail and sluice's runFormail on the
// same input and arguments, and compare stdout, stderr and exit status byte for byte.
// The only normalisations: ctime(3) renderings of "now" (generated From_ lines) and
// generated Message-IDs, which are time/pid/host dependent by design.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runFormail } from '../../src/formail/index.ts';
import type { SpawnFn } from '../../src/formail/index.ts';

export const REAL_FORMAIL = '/usr/bin/formail';
export const haveRealFormail = fs.existsSync(REAL_FORMAIL);

export interface Outcome {
  stdout: Buffer;
  stderr: Buffer;
  status: number;
}

const ENV: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', TZ: 'UTC', LANG: 'C', HOME: '/tmp' };

export function realFormail(args: string[], input: Buffer, opts: { cwd?: string; env?: Record<string, string> } = {}): Outcome {
  const r = spawnSync(REAL_FORMAIL, args, {
    input, cwd: opts.cwd, env: { ...ENV, ...opts.env }, maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // formail stops reading early for -x, -r, -D...: its unread input is not an error
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'EPIPE') throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/** A spawner for tests: runs the command with its stdout and stderr captured. */
export function capturingSpawn(out: Buffer[], err: Buffer[]): SpawnFn {
  return async (argv, input, env, opts) => {
    const o = { input, env, cwd: opts.cwd, maxBuffer: 1 << 30 };
    let r = spawnSync(argv[0]!, argv.slice(1), o);
    const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOEXEC') r = spawnSync('/bin/sh', argv, o); // as formail's shexec()
    if (r.stdout) out.push(r.stdout);
    if (r.stderr) err.push(r.stderr);
    return { status: r.status, signal: r.signal ? (os.constants.signals[r.signal] ?? 1) : null };
  };
}

export async function ourFormail(
  args: string[],
  input: Buffer | AsyncIterable<Buffer>,
  opts: { cwd?: string; env?: Record<string, string>; now?: number } = {},
): Promise<Outcome> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const status = await runFormail(args.map((a) => Buffer.from(a, 'utf8')), {
    stdin: input,
    stdout: (b) => out.push(Buffer.from(b)),
    stderr: (b) => err.push(Buffer.from(b)),
    env: { ...ENV, ...opts.env },
    spawn: capturingSpawn(out, err),
    cwd: opts.cwd,
    now: opts.now === undefined ? Date.now : () => opts.now!,
  });
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), status };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function utcCtime(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** Replace renderings of the seconds in [from-2, to+2] and generated Message-IDs. */
export function normalise(b: Buffer, fromMs: number, toMs: number): Buffer {
  let s = b.toString('latin1');
  for (let t = Math.floor(fromMs / 1000) - 2; t <= Math.floor(toMs / 1000) + 2; t++) s = s.split(utcCtime(t)).join('@NOW@');
  s = s.replace(/<[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+@[^>\n]*>/g, '<@MSGID@>');
  return Buffer.from(s, 'latin1');
}

export interface Difference {
  what: string;
  expected: string;
  actual: string;
}

/** Run both; undefined when they agree, else what differs (shown with escapes). */
export async function compare(
  args: string[],
  input: Buffer,
  opts: { cwd?: [string, string]; env?: Record<string, string> } = {},
): Promise<Difference | undefined> {
  const t0 = Date.now();
  const exp = realFormail(args, input, { cwd: opts.cwd?.[0], env: opts.env });
  const got = await ourFormail(args, input, { cwd: opts.cwd?.[1], env: opts.env });
  const t1 = Date.now();
  const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'));
  if (exp.status !== got.status) return { what: 'exit status', expected: String(exp.status), actual: String(got.status) };
  const eo = normalise(exp.stdout, t0, t1);
  const go = normalise(got.stdout, t0, t1);
  if (!eo.equals(go)) return { what: 'stdout', expected: show(eo).slice(0, 3000), actual: show(go).slice(0, 3000) };
  if (!exp.stderr.equals(got.stderr)) return { what: 'stderr', expected: show(exp.stderr), actual: show(got.stderr) };
  return undefined;
}

/** A fresh scratch directory. */
export function scratch(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sluice-formail-${name}-`));
}

/** Every .eml below the corpus folders named, sorted. */
export function corpusFiles(...dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.eml')) out.push(p);
    }
  };
  for (const d of dirs) if (fs.existsSync(d)) walk(d);
  return out.sort();
}

export const CORPUS = '/work/shared/corpus';
