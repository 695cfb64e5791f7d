// The benchmark's own helpers: statistics, interleaving, the checks that refuse a run that
// did not do its work, and the parsing of other tools' output. (No timings are asserted.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { checkDelivered, corpusPrefixBytes, folderCounts, formatCounts, ldaRc, sameCounts, total } from '../bench/fixtures.ts';
import { ratioOf, summaryTable, table, type Row } from '../bench/report.ts';
import { parseArgs } from '../bench/run.ts';
import { parseTestSummary } from '../bench/tester.ts';
import { interleave, median, timeShell } from '../bench/timing.ts';

test('median of odd and even counts, input left unsorted', () => {
  const xs = [5, 1, 3];
  assert.equal(median(xs), 3);
  assert.deepEqual(xs, [5, 1, 3]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]));
});

test('interleave alternates the order every round and runs prepare/verify around each run', async () => {
  const calls: string[] = [];
  const v = (name: string) => ({
    name,
    prepare: () => void calls.push(`prep ${name}`),
    run: async () => {
      calls.push(`run ${name}`);
      return name === 'a' ? 1 : 2;
    },
    verify: () => void calls.push(`check ${name}`),
  });
  const times = await interleave([v('a'), v('b')], 3);
  assert.deepEqual(calls.filter((c) => c.startsWith('run')), ['run a', 'run b', 'run b', 'run a', 'run a', 'run b']);
  assert.deepEqual(calls.slice(0, 3), ['prep a', 'run a', 'check a']);
  assert.deepEqual(times.get('a'), [1, 1, 1]);
  assert.deepEqual(times.get('b'), [2, 2, 2]);
});

test('interleave stops when a verification fails', async () => {
  let runs = 0;
  await assert.rejects(
    interleave([{ name: 'x', run: async () => (++runs, 1), verify: () => { throw new Error('nothing delivered'); } }], 3),
    /nothing delivered/,
  );
  assert.equal(runs, 1);
});

test('timeShell passes arguments and redirections, and rejects a failing command', async () => {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'bench-test-'));
  try {
    const input = join(dir, 'in');
    const output = join(dir, 'out');
    fs.writeFileSync(input, 'hello\n');
    const r = await timeShell({ script: 'cat; echo "$1-$2"', args: ['x', 'y'], stdin: input, stdout: output });
    assert.ok(r.seconds > 0);
    assert.equal(fs.readFileSync(output, 'utf8'), 'hello\nx-y\n');
    await assert.rejects(timeShell({ script: 'echo oops >&2; exit 3' }), /exit 3[\s\S]*oops/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('folderCounts counts new/ files per Maildir folder; checkDelivered refuses short or different runs', () => {
  const root = fs.mkdtempSync(join(os.tmpdir(), 'bench-test-'));
  try {
    for (const [folder, n] of [['inbox', 3], ['from-org', 2]] as const) {
      for (const sub of ['new', 'cur', 'tmp']) fs.mkdirSync(join(root, folder, sub), { recursive: true });
      for (let k = 0; k < n; k++) fs.writeFileSync(join(root, folder, 'new', `m${k}`), 'x');
    }
    fs.writeFileSync(join(root, 'inbox', 'cur', 'seen'), 'x'); // not a new delivery
    fs.writeFileSync(join(root, 'stray-mbox'), 'From x\n'); // not a Maildir
    const got = folderCounts(root);
    assert.deepEqual(got, { 'from-org': 2, inbox: 3 });
    assert.equal(total(got), 5);
    assert.equal(formatCounts(got), 'from-org 2, inbox 3');
    assert.doesNotThrow(() => checkDelivered('x', got, 5, { inbox: 3, 'from-org': 2 }));
    assert.throws(() => checkDelivered('x', got, 6), /delivered 5 messages, expected 6/);
    assert.throws(() => checkDelivered('x', got, 5, { inbox: 4, 'from-org': 1 }), /folders differ/);
    assert.equal(sameCounts(got, { inbox: 3 }), false);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the rc of baselines §(c): 10 recipes, one body match, filing below the given directory', () => {
  const rc = ldaRc('/x/out');
  assert.match(rc, /^MAILDIR=\/x\/out\nDEFAULT=\$MAILDIR\/inbox\/\n/);
  assert.equal(rc.match(/^:0/gm)?.length, 10);
  assert.equal(rc.match(/^:0 B$/gm)?.length, 1);
  assert.match(rc, /\* \^From:\.\*@example\\\.org\n/);
});

test('corpusPrefixBytes: where message n+1 starts, or the whole file', () => {
  const index = 'n\tarchive_msg\tcommit\tbyte_offset\tlength\tfrom_line\n1\t5\tc1\t0\t100\tFrom a\n2\t6\tc2\t100\t50\tFrom b\n3\t7\tc3\t150\t70\tFrom c\n';
  assert.deepEqual(corpusPrefixBytes(index, 2), { messages: 2, bytes: 150 });
  assert.deepEqual(corpusPrefixBytes(index, 3), { messages: 3, bytes: 220 });
  assert.deepEqual(corpusPrefixBytes(index, 99), { messages: 3, bytes: 220 });
});

test('parseTestSummary reads the folder table and the totals line of sluice test --summary', () => {
  const text = [
    'messages  type     folder',
    '    6790  maildir  /tmp/b/out/inbox/',
    '     321  maildir  /tmp/b/out/attachments/',
    '       2  mh       /tmp/b/out/to-bob/.',
    '7113 messages, 0 not delivered, 1724 messages/s',
    '',
  ].join('\n');
  assert.deepEqual(parseTestSummary(text), { messages: 7113, notDelivered: 0, folders: { inbox: 6790, attachments: 321, 'to-bob': 2 } });
  assert.equal(parseTestSummary('messages  type  folder\n'), null);
});

test('ratios are sluice throughput over peer throughput, with the goal verdict', () => {
  const row = (what: string, seconds: number, work: number): Row => ({ what, command: what, seconds, work, unit: 'msg', runs: [seconds] });
  const r = ratioOf('s', 'n', row('sluice', 1, 1000), row('peer', 5, 1000), { min: 5, text: '>= 5x' });
  assert.equal(r.ratio, 5);
  assert.match(summaryTable([r]), /5\.00x\s+met \(goal >= 5x\)/);
  const slow = ratioOf('s', 'n', row('sluice', 2, 10), row('peer', 1, 10), { min: 0.67, text: 'x' });
  assert.equal(slow.ratio, 0.5);
  assert.match(summaryTable([slow]), /NOT met/);
});

test('table right-aligns the numeric columns', () => {
  const t = table(['name', 'n'], [['a', '1'], ['bbb', '100']], new Set([1]));
  assert.deepEqual(t.split('\n'), ['name    n', '----  ---', 'a       1', 'bbb   100']);
});

test('bench arguments: sections, --quick, --no-build, unknown words refused', () => {
  assert.deepEqual(parseArgs([]), { quick: false, build: true, sections: ['lda', 'mailbox', 'test', 'lmtp'] });
  assert.deepEqual(parseArgs(['--quick', 'mailbox', '--no-build']), { quick: true, build: false, sections: ['mailbox'] });
  assert.match(parseArgs(['nope']) as string, /unknown argument "nope"/);
});

test('CPU accounting: a busy child shows up in its parent tree and in the machine busy time', async () => {
  const { spawn } = await import('node:child_process');
  const { grownBy, growthByProcess, machineTicks, treeTicks } = await import('../bench/cpu.ts');
  // a child that burns 0.3 s of CPU (not of wall time: the machine may be busy), says so,
  // and stays alive to be counted
  const burn = 'const u=()=>{const c=process.cpuUsage();return (c.user+c.system)/1000};while(u()<300);process.stdout.write("done");setTimeout(()=>{},60000)';
  const child = spawn(process.execPath, ['-e', burn], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const before = treeTicks(process.pid);
    const m0 = machineTicks();
    assert.ok(before.has(process.pid) && before.has(child.pid!), 'the tree holds this process and its child');
    await new Promise((r) => child.stdout!.once('data', r));
    const after = treeTicks(process.pid, (pid) => (pid === child.pid ? 'burner' : 'other'));
    const m1 = machineTicks();
    assert.equal(after.get(child.pid!)!.role, 'burner');
    const burned = after.get(child.pid!)!.ticks - (before.get(child.pid!)?.ticks ?? 0);
    assert.ok(burned >= 20, `the child's 0.3 s of CPU is counted (${burned} ticks)`);
    assert.ok(grownBy(before, after) >= burned);
    const own = growthByProcess(before, after).get(child.pid!)!;
    assert.equal(own.ticks, burned);
    assert.equal(own.user + own.system, own.ticks);
    assert.equal(own.role, 'burner');
    // (per-task times and /proc/stat are sampled differently: allow a few ticks of skew)
    assert.ok(m1.busy - m0.busy >= burned * 0.8, `the machine was busy about as long as the child at least (${m1.busy - m0.busy} ticks)`);
    assert.ok(m1.idle >= m0.idle);
  } finally {
    child.kill();
  }
});
