// The oracle cases that use formail (18x, and 074 095 096 097 099), replayed in-process:
// every formail command of a case's rc is run on the input procmail would give it, and its
// output is compared with the file real procmail + real formail produced (the case's
// `expected`). A second test runs the cases through the real oracle harness with sluice's
// formail installed as $HOME/bin/formail (needs root and a bundle; skipped otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runFormail } from '../src/formail/index.ts';
import { capturingSpawn, scratch } from './formail/diff.ts';

const CASES = '/work/shared/oracle/cases';
const haveCases = fs.existsSync(CASES);

/** Decode the oracle's `sed -n 'l 0'` rendering of a file. */
function unl(lines: string[]): Buffer {
  const out: number[] = [];
  for (const line of lines) {
    if (line === '\\ no newline at end of file') {
      out.pop();
      continue;
    }
    const body = line.endsWith('$') ? line.slice(0, -1) : line;
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c !== '\\') {
        out.push(c.charCodeAt(0));
        continue;
      }
      const n = body[++i]!;
      const simple: Record<string, number> = { '\\': 0x5c, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
      if (n in simple) out.push(simple[n]!);
      else {
        out.push(parseInt(body.slice(i, i + 3), 8));
        i += 2;
      }
    }
    out.push(10);
  }
  return Buffer.from(out);
}

/** The files an expected outcome shows, by path, and the exit status of each delivery. */
function expected(caseName: string): { files: Map<string, Buffer>; exits: number[] } {
  const text = fs.readFileSync(path.join(CASES, caseName, 'expected'), 'latin1').split('\n');
  const files = new Map<string, Buffer>();
  const exits: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ex = /^exit: (\d+)$/.exec(text[i]!);
    if (ex) exits.push(Number(ex[1]));
    const m = /^(?:created|changed) file \d+ (\S+)/.exec(text[i]!);
    if (!m) continue;
    const lines: string[] = [];
    for (i += 2; i < text.length && text[i]!.startsWith('  '); i++) lines.push(text[i]!.slice(2));
    i--;
    files.set(m[1]!, unl(lines));
  }
  return { files, exits };
}

const read = (caseName: string, file: string): Buffer => fs.readFileSync(path.join(CASES, caseName, file));

/** The header as procmail pipes it with the `h` flag: up to and including the empty line. */
function headerOf(msg: Buffer): Buffer {
  const k = msg.indexOf('\n\n');
  return k < 0 ? msg : msg.subarray(0, k + 2);
}

function bodyOf(msg: Buffer): Buffer {
  const k = msg.indexOf('\n\n');
  return k < 0 ? Buffer.alloc(0) : msg.subarray(k + 2);
}

async function formail(args: string[], input: Buffer, cwd?: string, withStderr = false): Promise<{ out: Buffer; status: number }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const status = await runFormail(args, {
    stdin: input,
    stdout: (b) => out.push(Buffer.from(b)),
    stderr: (b) => (withStderr ? out : err).push(Buffer.from(b)),
    env: { PATH: '/usr/bin:/bin', TZ: 'UTC' },
    spawn: capturingSpawn(out, err),
    cwd,
  });
  return { out: Buffer.concat(out), status };
}

/**
 * The oracle prints files with GNU sed, which keeps a missing final newline, and then cuts
 * one byte off such files: a file without a final newline shows one byte short.
 */
function assertOracleFile(actual: Buffer, shown: Buffer, what: string): void {
  if (actual.length && actual[actual.length - 1] !== 10) assert.deepEqual(actual.subarray(0, -1), shown, what);
  else assert.deepEqual(actual, shown, what);
}

test('oracle 181: -a -A -i -I -u -U -R', { skip: !haveCases }, async () => {
  const c = '181-formail-header-edit';
  const { files } = expected(c);
  const msg = read(c, 'msg');
  const runs: Record<string, string[]> = {
    'home/a.txt': ['-a', 'Subject: not added', '-a', 'X-New: added'],
    'home/A.txt': ['-A', 'Subject: second subject'],
    'home/i.txt': ['-i', 'Subject: replaced'],
    'home/I.txt': ['-I', 'Subject: replaced', '-I', 'Received:'],
    'home/u.txt': ['-u', 'Received:'],
    'home/U.txt': ['-U', 'Received:'],
    'home/R.txt': ['-R', 'Subject:', 'X-Original-Subject:'],
  };
  for (const [file, args] of Object.entries(runs)) assert.deepEqual((await formail(args, msg)).out, files.get(file), file);
});

test('oracle 182: -x -X -c -z, partial names, -k', { skip: !haveCases }, async () => {
  const c = '182-formail-extract';
  const { files } = expected(c);
  const msg = read(c, 'msg');
  const runs: Record<string, string[]> = {
    'home/x.txt': ['-x', 'Subject:'],
    'home/X.txt': ['-X', 'Subject:'],
    'home/xc.txt': ['-c', '-x', 'Received:'],
    'home/xz.txt': ['-z', '-x', 'To:'],
    'home/prefix.txt': ['-X', 'X-'],
    'home/kX.txt': ['-k', '-X', 'From:', '-X', 'Subject:'],
  };
  for (const [file, args] of Object.entries(runs)) assert.deepEqual((await formail(args, msg)).out, files.get(file), file);
});

test('oracle 183: -s, +skip, -total, FILENO', { skip: !haveCases }, async () => {
  const c = '183-formail-split-mbox';
  const { files } = expected(c);
  const msg = read(c, 'msg');
  assert.deepEqual((await formail(['-s', 'cat'], msg)).out, files.get('home/all.txt'));
  assert.deepEqual((await formail(['+1', '-s', 'cat'], msg)).out, files.get('home/skip1.txt'));
  assert.deepEqual((await formail(['-1', '-s', 'cat'], msg)).out, files.get('home/total1.txt'));
  const dir = scratch('o183');
  const r = await formail(['-s', 'sh', '-c', 'cat > split.$FILENO'], bodyOf(msg), dir);
  assert.equal(r.status, 0);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['split.000', 'split.001']);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'split.000')), files.get('home/split.000'));
  assert.deepEqual(fs.readFileSync(path.join(dir, 'split.001')), files.get('home/split.001'));
});

test('oracle 185: -rD keyed on the sender', { skip: !haveCases }, async () => {
  const c = '185-formail-dedup-reply-cache';
  const { files } = expected(c);
  const dir = scratch('o185');
  const statuses: number[] = [];
  for (const m of ['01', '02', '03']) statuses.push((await formail(['-rD', '8192', 'cache'], headerOf(read(c, `msgs/${m}`)), dir)).status);
  assert.deepEqual(statuses, [1, 0, 1]); // the log says: new, duplicate, new
  assertOracleFile(fs.readFileSync(path.join(dir, 'cache')), files.get('home/cache')!, 'cache');
});

test('oracle 186: -l abstract', { skip: !haveCases }, async () => {
  const c = '186-formail-log-summary';
  const { files } = expected(c);
  assert.deepEqual((await formail(['-l', 'myfolder'], read(c, 'msg'), undefined, true)).out, files.get('home/l.txt'));
});

test('oracle 187: -c and -z', { skip: !haveCases }, async () => {
  const c = '187-formail-concat-zap';
  const { files } = expected(c);
  assert.deepEqual((await formail(['-c'], read(c, 'msg'))).out, files.get('home/c.txt'));
  assert.deepEqual((await formail(['-z'], read(c, 'msg'))).out, files.get('home/z.txt'));
});

test('oracle 074: fhw | formail -A', { skip: !haveCases }, async () => {
  const c = '074-flag-combined-fhw-formail-A';
  const { files } = expected(c);
  const r = await formail(['-A', 'X-Processed-By: procmail'], headerOf(read(c, 'msg')));
  assert.deepEqual(r.out, headerOf(files.get('home/inbox')!));
});

test('oracle 095: vacation auto-reply', { skip: !haveCases }, async () => {
  const c = '095-autoreply-vacation';
  const { files } = expected(c);
  const dir = scratch('o095');
  const statuses: number[] = [];
  const replies: Buffer[] = [];
  for (const m of ['01', '02', '03']) {
    const hdr = headerOf(read(c, `msgs/${m}`));
    const s = (await formail(['-rD', '8192', 'vacation.cache'], hdr, dir)).status;
    statuses.push(s);
    if (s !== 0) {
      const reply = await formail(['-rIPrecedence: junk', '-AX-Loop: mailtest@example.net'], hdr);
      replies.push(Buffer.concat([reply.out, Buffer.from('I am on vacation.\n')]));
    }
  }
  assert.deepEqual(statuses, [1, 0, 1]);
  const sent = [files.get('sent/1')!, files.get('sent/2')!].map((b) => b.subarray(b.indexOf('sendmail-stdin:\n') + 16));
  assert.deepEqual(replies.sort(Buffer.compare), sent.sort(Buffer.compare));
  assertOracleFile(fs.readFileSync(path.join(dir, 'vacation.cache')), files.get('home/vacation.cache')!, 'cache');
});

for (const c of ['096-dedup-msgid-cache', '097-dedup-to-folder']) {
  test(`oracle ${c.slice(0, 3)}: -D on Message-ID`, { skip: !haveCases }, async () => {
    const { files } = expected(c);
    const dir = scratch(`o${c.slice(0, 3)}`);
    const statuses: number[] = [];
    for (const m of ['01', '02', '03']) statuses.push((await formail(['-D', '8192', 'msgid.cache'], headerOf(read(c, `msgs/${m}`)), dir)).status);
    assert.deepEqual(statuses, [1, 1, 0]);
    assertOracleFile(fs.readFileSync(path.join(dir, 'msgid.cache')), files.get('home/msgid.cache')!, 'cache');
  });
}

test('oracle 099: +1 -ds digest split', { skip: !haveCases }, async () => {
  const c = '099-digest-split';
  const { files } = expected(c);
  const r = await formail(['+1', '-ds'], read(c, 'msg'));
  const got = r.out.toString('latin1').replace(/[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}/g, '@NOW@');
  assert.equal(got, files.get('home/digested')!.toString('latin1'));
});

// ------------------------------------------------------------ through the real harness

const RUN_CASE = '/work/shared/oracle/run-case.sh';
const canHarness = haveCases && fs.existsSync(RUN_CASE) && process.getuid?.() === 0 && fs.existsSync('/usr/bin/procmail');

test('oracle harness: real procmail calling sluice formail', { skip: !canHarness && 'needs root and the oracle harness', timeout: 600_000 }, async () => {
  // a world-readable bundle of the formail CLI, found by procmail in $HOME/bin
  const dir = fs.mkdtempSync('/tmp/sluice-formail-harness-');
  fs.chmodSync(dir, 0o755);
  const entry = path.join(dir, 'entry.ts');
  fs.writeFileSync(entry, `import { main } from ${JSON.stringify(path.resolve('src/cli/formail.ts'))};\nmain(process.argv.slice(2)).then((c) => { process.exitCode = c; }, () => { process.exitCode = 75; });\n`);
  const bundle = path.join(dir, 'formail.mjs');
  const { build } = await import('esbuild');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'warning' });
  fs.chmodSync(bundle, 0o644);
  const failures: string[] = [];
  for (const name of fs.readdirSync(CASES).filter((n) => /^(18\d|074|095|096|097|099)-/.test(n))) {
    const copy = path.join(dir, name);
    fs.cpSync(path.join(CASES, name), copy, { recursive: true });
    assert.ok(!fs.existsSync(path.join(CASES, name, 'setup.sh')), `${name} has its own setup.sh`);
    fs.writeFileSync(
      path.join(copy, 'setup.sh'),
      `mkdir -p "$HOME/bin"\nprintf '#!/bin/sh\\nexec ${process.execPath} ${bundle} "$@"\\n' > "$HOME/bin/formail"\nchmod 755 "$HOME/bin/formail"\n`,
    );
    const r = spawnSync(RUN_CASE, [copy], { maxBuffer: 1 << 26 });
    const outcome = r.stdout.toString('latin1');
    if (outcome !== fs.readFileSync(path.join(CASES, name, 'expected'), 'latin1')) failures.push(`${name}:\n${outcome}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(failures, []);
});
