// Splitting mailboxes and digests (-s), differential against /usr/bin/formail: the whole
// 7126-message corpus mailbox (bytes, message boundaries, abstracts), split variants, the
// commands started per message (FILENO, exit statuses, +skip/-total), and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runFormail } from '../src/formail/index.ts';
import type { SpawnFn } from '../src/formail/index.ts';
import { CORPUS, compare, haveRealFormail, ourFormail, realFormail, scratch } from './formail/diff.ts';

const MBOX = path.join(CORPUS, 'mbox/linux-mips-2001-2002.mbox');
const haveMbox = fs.existsSync(MBOX);
const skip = !haveRealFormail || !haveMbox ? 'needs /usr/bin/formail and the corpus mailbox' : false;
const B = (s: string): Buffer => Buffer.from(s, 'latin1');

/** The first n messages of the corpus mailbox. */
function headOfMbox(n: number): Buffer {
  const m = fs.readFileSync(MBOX);
  let at = 0;
  for (let i = 0; i < n; i++) at = m.indexOf('\nFrom ', at + 1);
  return m.subarray(0, at + 1);
}

test('mbox: -s reproduces the whole mailbox byte for byte', { skip }, async () => {
  const input = fs.readFileSync(MBOX);
  const exp = realFormail(['-s'], input);
  const got = await ourFormail(['-s'], input);
  assert.equal(got.status, exp.status);
  assert.ok(got.stdout.equals(exp.stdout));
  assert.ok(got.stdout.equals(input)); // a clean mboxrd file passes unchanged
});

test('mbox: message boundaries, sizes and FILENO match formail -l abstracts', { skip }, async () => {
  const input = fs.readFileSync(MBOX);
  const abstracts = realFormail(['-l', 'box', '-s'], input).stdout.toString('latin1');
  const ours = await ourFormail(['-l', 'box', '-s'], input);
  assert.equal(ours.stdout.toString('latin1'), abstracts);
  const sizes = [...abstracts.matchAll(/^ {2}Folder: box\t+ *(\d+)$/gm)].map((m) => Number(m[1]));
  assert.equal(sizes.length, 7126);

  // the same split into commands: each gets exactly one message, numbered by FILENO
  const messages: Buffer[] = [];
  const filenos: string[] = [];
  const record: SpawnFn = async (_argv, data, env) => {
    messages.push(data);
    filenos.push(env.FILENO!);
    return 0;
  };
  const status = await runFormail(['-s', 'record'], { stdin: input, stdout: () => {}, stderr: () => {}, env: {}, spawn: record });
  assert.equal(status, 0);
  assert.deepEqual(messages.map((m) => m.length), sizes);
  assert.ok(Buffer.concat(messages).equals(input));
  assert.deepEqual(filenos.slice(0, 3), ['000', '001', '002']);
  assert.equal(filenos[7125], '7125');
});

test('mbox: split variants on the whole mailbox', { skip, timeout: 300_000 }, async () => {
  const input = fs.readFileSync(MBOX);
  const variants = [['-ds'], ['-es'], ['-Ys'], ['+100', '-200', '-s'], ['-m', '3', '-s'], ['-rtks'], ['-X', 'From:', '-X', 'Message-ID:', '-s'], ['-zc', '-a', 'Date:', '-s']];
  for (const args of variants) assert.equal(await compare(args, input), undefined, JSON.stringify(args));
});

test('mbox: commands per message through real processes', { skip }, async () => {
  const input = headOfMbox(120);
  const cmd = ['-s', 'sh', '-c', 'echo "== $FILENO"; md5sum; exit $(( 1$FILENO % 7 == 6 ? 3 : 0 ))'];
  assert.equal(await compare(['+5', '-100', ...cmd], input), undefined);
  assert.equal(await compare(['-rD', '100000', 'ids', ...cmd], input, { cwd: [scratch('a'), scratch('b')] }), undefined);
});

const mailbox = (n: number, from = 'a@b'): Buffer =>
  Buffer.concat(Array.from({ length: n }, (_, i) => B(`From ${from}  Mon Jan  1 10:00:00 2001\nSubject: ${i}\nMessage-ID: <${i % 4}@x>\n\nbody ${i}\n\n`)));

test('split: FILENO start and width from the environment', { skip: !haveRealFormail && 'needs formail' }, async () => {
  const input = mailbox(12);
  for (const v of [undefined, '', '0', '7', '98', '0005', '-3', '-05', ' 12', '12x', 'abc', '+4', '99999999999999999999999999999']) {
    const env: Record<string, string> = v === undefined ? {} : { FILENO: v };
    // (commands read their input: formail's exit status races with ones that don't)
    assert.equal(await compare(['-s', 'sh', '-c', 'cat >/dev/null; echo "[$FILENO]"'], input, { env }), undefined, `FILENO=${v}`);
  }
});

test('split: exit statuses, skip and total, missing commands', { skip: !haveRealFormail && 'needs formail' }, async () => {
  const input = mailbox(6);
  const cases = [
    ['-s', 'sh', '-c', 'cat >/dev/null; exit 3'],
    ['+2', '-s', 'sh', '-c', 'cat >/dev/null; exit 4'],
    ['+2', '-3', '-s', 'cat'],
    ['-0', '-s', 'cat'], ['-q-', '-0', '-s'], ['+9', '-s', 'cat'],
    ['-s', 'sh', '-c', 'cat >/dev/null; kill -TERM $$'],
    ['-D', '1000', 'ids', '-s', 'sh', '-c', 'echo "$FILENO: $(wc -c)"'],
    ['-q-', '-D', '1000', 'ids', '-s'],
  ];
  for (const args of cases) assert.equal(await compare(args, input, { cwd: [scratch('a'), scratch('b')] }), undefined, JSON.stringify(args));
  assert.equal(await compare(['-s', 'cat'], B('')), undefined); // nothing to split: no command at all
  // a command that cannot be run directly goes to /bin/sh, which fails to read it as a script
  const missing = await ourFormail(['-s', 'sluice-no-such-command'], input);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr.toString(), /sluice-no-such-command/);
  assert.equal((await ourFormail(['-s', '/etc/passwd'], input)).status, 127);
  assert.equal(await compare(['-k', '-s', 'sh', '-c', 'echo started'], input), undefined); // usage error after the first start
});

test('split: digests, articles, BABYL, Content-Length, postmarks', { skip: !haveRealFormail && 'needs formail' }, async () => {
  const inputs: Record<string, Buffer> = {
    digest: fs.existsSync('/work/shared/oracle/cases/099-digest-split/msg') ? fs.readFileSync('/work/shared/oracle/cases/099-digest-split/msg') : B(''),
    noblank: B('From a@b  Mon Jan  1 10:00:00 2001\nSubject: 1\n\nx\nFrom c@d  Mon Jan  1 10:00:00 2001\nSubject: 2\n\ny\n'),
    unknownHdr: B('From a@b  Mon Jan  1 10:00:00 2001\nSubject: 1\n\nx\n\nFrom c@d  Mon Jan  1 10:00:00 2001\nFoo: 2\n\ny\n\nFrom e@f Mon Jan 1\nX-Thing: 3\n\nz\n'),
    badPostmark: B('From a@b  Mon Jan  1 10:00:00 2001\nSubject: 1\n\nx\n\nFrom nodate\nSubject: 2\n\nFrom \nSubject: 3\n\ny\n'),
    contentLength: B('From a@b  Mon Jan  1 10:00:00 2001\nContent-Length: 40\nSubject: 1\n\nFrom inside  Mon Jan  1 10:00:00 2001\nSubject: no\n\n\nFrom c@d  Mon Jan  1 10:00:00 2001\nSubject: 2\nContent-Length: 5\n\nabc\n\nFrom e@f  Mon Jan  1 10:00:00 2001\nSubject: 3\nContent-Length: 99\n\nz'),
    articles: B('Article 1 of x\nFrom: a@b.c\nSubject: 1\n\nb1\n\nArticle 2 of x\nFrom: d@e.f\nSubject: 2\n\nb2\n'),
    noFrom: B('Subject: 1\nFrom: a@b.c\n\nb1\n\nSubject: 2\nFrom: d@e.f\n\nb2\n'),
    trailingNoNL: B('From a@b  Mon Jan  1 10:00:00 2001\nSubject: 1\n\nlast line no newline'),
    blanks: B('\n\n\n'),
  };
  const argsets = [['-s'], ['-ds'], ['+1', '-ds'], ['-es'], ['-des'], ['-m', '1', '-ds'], ['-m', '3', '-s'], ['-Ys'], ['-q-', '-s'], ['-rks'], ['-l', 'box', '-s'], ['-x', 'Subject:', '-s']];
  for (const args of argsets) {
    for (const [name, input] of Object.entries(inputs)) assert.equal(await compare(args, input), undefined, `${JSON.stringify(args)} ${name}`);
  }
  const babyl = B(
    'BABYL OPTIONS: -*- rmail -*-\nVersion: 5\nLabels:\n\x1f\x0c\n1, answered,,\nSummary-line: x\nMail-from: From a@b.c  Mon Jan  1 10:00:00 2001\n' +
      'From: a@b.c\nSubject: one\n\n*** EOOH ***\nFrom: a@b.c\nSubject: one\n\nbody one\n\x1f\x0c\n1,,\nMail-from: From d@e.f  Tue Jan  2 10:00:00 2001\n' +
      'From: d@e.f\nSubject: two\n\n*** EOOH ***\nFrom: d@e.f\nSubject: two\n\nbody two\n\x1f',
  );
  // an empty line in the leader makes formail skip the line after it (here: the first separator)
  const babylEmptyLine = Buffer.concat([B('BABYL OPTIONS: -*- rmail -*-\n\n'), babyl.subarray(babyl.indexOf('\x1f'))]);
  for (const input of [babyl, babylEmptyLine]) {
    for (const args of [['-Bs'], ['-B', '+1', '-s'], ['-B', '-s', 'cat']]) assert.equal(await compare(args, input), undefined, JSON.stringify(args));
  }
});

test('split: a BABYL file without its leader ends (formail spins forever)', async () => {
  const r = await ourFormail(['-Bs'], B('From a@b  Mon Jan  1 10:00:00 2001\nSubject: 1\n\nx\n'));
  assert.deepEqual([r.status, r.stdout.length], [0, 0]);
  const n = await ourFormail(['-B'], B('Subject: 1\n\nx\n'));
  assert.equal(n.status, 64); // -B without -s is a usage error once the input is read
});

test('split: -n runs commands in parallel, within the limit', async () => {
  let running = 0;
  let most = 0;
  const seen: string[] = [];
  const slow: SpawnFn = async (_argv, data, env, opts) => {
    assert.equal(opts.parallel, true);
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    seen.push(`${env.FILENO} ${data.toString().split('\n')[1]}`);
    return env.FILENO === '004' ? 5 : 0;
  };
  const status = await runFormail(['-n', '3', '-s', 'x'], { stdin: mailbox(10), stdout: () => {}, stderr: () => {}, env: {}, spawn: slow });
  assert.equal(status, 5);
  assert.equal(most, 3);
  assert.deepEqual(seen.sort(), Array.from({ length: 10 }, (_, i) => `00${i} Subject: ${i}`));
});

test('split: a command that reads none of a big message: "Couldn\'t write", EX_IOERR', async () => {
  const big = Buffer.concat([B('From a@b  Mon Jan  1 10:00:00 2001\nSubject: big\n\n'), Buffer.alloc(200_000, 'x'), B('\n\n')]);
  const broken: SpawnFn = async () => ({ status: 0, inputBroken: true });
  const err: Buffer[] = [];
  const io = { stdout: () => {}, stderr: (b: Buffer) => err.push(b), env: {}, spawn: broken };
  assert.equal(await runFormail(['-q-', '-s', 'x'], { ...io, stdin: Buffer.concat([big, big]) }), 74);
  assert.equal(Buffer.concat(err).toString(), "formail: Couldn't write to stdout, continuing...\nformail: Couldn't write to stdout\n");
});

// ------------------------------------------------------------ the CLI

// tsx by absolute URL: the CLI also runs in other working directories
const CLI = ['--import', import.meta.resolve('tsx'), path.resolve('src/cli/main.ts'), 'formail'];

test('cli: streams a mailbox from a pipe, runs commands, exit statuses', { skip }, () => {
  const input = fs.readFileSync(MBOX);
  const r = spawnSync(process.execPath, [...CLI, '-s'], { input, maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.ok(r.stdout.equals(input));
  const small = headOfMbox(20);
  const args = ['-s', 'sh', '-c', 'echo "== $FILENO $(wc -l)"'];
  const c = spawnSync(process.execPath, [...CLI, ...args], { input: small });
  assert.equal(c.stdout.toString(), realFormail(args, small).stdout.toString());
  const dir = scratch('cli');
  const msg = B('Message-ID: <cli@x>\n\nx\n');
  const d1 = spawnSync(process.execPath, [...CLI, '-D', '100', 'c'], { input: msg, cwd: dir });
  const d2 = spawnSync(process.execPath, [...CLI, '-D', '100', 'c'], { input: msg, cwd: dir });
  assert.deepEqual([d1.status, d2.status], [1, 0]);
  const v = spawnSync(process.execPath, [...CLI, '-v']);
  assert.deepEqual([v.status, v.stderr.toString()], [64, realFormail(['-v'], B('')).stderr.toString()]);
});

test('cli: non-ASCII field arguments pass as UTF-8 bytes', { skip: !haveRealFormail && 'needs formail' }, () => {
  const input = B('From: a@b.c\n\nx\n');
  const args = ['-f', '-A', 'X-Ünï: ü'];
  const r = spawnSync(process.execPath, [...CLI, ...args], { input });
  assert.ok(r.stdout.equals(realFormail(args, input).stdout));
});

test('stdout that cannot be written: one complaint per message, EX_IOERR', { skip }, async () => {
  const input = headOfMbox(300);
  for (const args of [['-q-', '-s'], ['-q-'], ['-s'], ['-q-', '-r']]) {
    const real = spawnSync('/bin/sh', ['-c', `${['/usr/bin/formail', ...args].join(' ')} >/dev/full`], { input });
    const err: Buffer[] = [];
    const status = await runFormail(args, {
      stdin: input,
      stdout: () => {
        throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
      },
      stderr: (b) => err.push(b),
      env: {},
      spawn: async () => 0,
    });
    assert.deepEqual([status, Buffer.concat(err).toString()], [real.status, real.stderr.toString()], JSON.stringify(args));
  }
});
