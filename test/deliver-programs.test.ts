// Running programs: exit status, signals, the /bin/sh fallback, stderr into the log file,
// stdout capture or discard, EPIPE, TIMEOUT, and pipes that are not waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { ProgramRequest } from '../src/engine/effects.ts';
import { RealHost } from '../src/deliver/host.ts';
import { scratch } from './deliver-fixtures.ts';

const ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', SHELL: '/bin/sh' };

function prog(argv: string[], over: Partial<ProgramRequest> = {}): { req: ProgramRequest; lines: string[] } {
  const lines: string[] = [];
  return {
    req: { argv, env: ENV, stdin: [], wait: true, captureStdout: false, timeoutSeconds: 0, log: (t) => lines.push(t), ...over },
    lines,
  };
}

const sh = (cmd: string) => ['/bin/sh', '-c', cmd];

test('exit status, and -N for a signal (procmail\'s waitfor)', async () => {
  const host = new RealHost();
  assert.equal((await host.run(prog(sh('exit 3')).req)).status, 3);
  assert.equal((await host.run(prog(sh('exit 0')).req)).status, 0);
  assert.equal((await host.run(prog(sh('kill -9 $$')).req)).status, -9);
});

test('stdin is the mail; stdout collected when asked, discarded otherwise', async () => {
  const host = new RealHost();
  const r = await host.run(prog(['tr', 'a-z', 'A-Z'], { stdin: [Buffer.from('hello '), Buffer.from('world\n')], captureStdout: true }).req);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.toString(), 'HELLO WORLD\n');
  assert.equal(r.writeError, false);
  const quiet = await host.run(prog(sh('echo should-vanish')).req);
  assert.equal(quiet.stdout.length, 0);
});

test('environment and current directory are passed on', async () => {
  const s = scratch();
  try {
    const r = await new RealHost().run(prog(sh('echo "$MYVAR $(pwd)"'), { env: { ...ENV, MYVAR: 'x y' }, captureStdout: true }).req);
    assert.equal(r.stdout.toString(), `x y ${fs.realpathSync(s.dir)}\n`);
  } finally {
    s.done();
  }
});

test('stderr goes to the LOGFILE; program not found falls back to /bin/sh (case 148)', async () => {
  const s = scratch();
  try {
    const host = new RealHost();
    assert.ok(host.setLogfile(`${s.dir}/log`));
    await host.run(prog(sh('echo to-stderr >&2; echo to-stdout')).req);
    const r = await host.run(prog(['/nonexistent/program']).req);
    assert.equal(r.status, 2);
    const r2 = await host.run(prog(['no-such-program-xyz']).req);
    assert.equal(r2.status, 2);
    host.setLogfile(undefined);
    assert.equal(
      fs.readFileSync('log', 'latin1'),
      'to-stderr\n' +
        '/bin/sh: 0: cannot open /nonexistent/program: No such file\n' +
        '/bin/sh: 0: cannot open no-such-program-xyz: No such file\n',
    );
  } finally {
    s.done();
  }
});

test('a program found but not executable is run by /bin/sh as a script', async () => {
  const s = scratch();
  try {
    fs.writeFileSync('script', 'echo ran-by-sh "$1"\n', { mode: 0o644 });
    const r = await new RealHost().run(prog(['./script', 'arg'], { captureStdout: true }).req);
    assert.equal(r.stdout.toString(), 'ran-by-sh arg\n');
  } finally {
    s.done();
  }
});

test('stdoutToLog (TRAP): stdout joins stderr in the log, in order', async () => {
  const s = scratch();
  try {
    const host = new RealHost();
    host.setLogfile(`${s.dir}/log`);
    await host.run(prog(sh('echo trap ran; grep -c . ; echo err >&2; exit 3'), { stdin: [Buffer.from('a\nb\n')], stdoutToLog: true }).req);
    host.setLogfile(undefined);
    assert.equal(fs.readFileSync('log', 'latin1'), 'trap ran\n2\nerr\n');
  } finally {
    s.done();
  }
});

test('a program that stops reading early: writeError, and no crash on EPIPE (case 071)', async () => {
  const big = Buffer.alloc(4 << 20, 'x');
  const r = await new RealHost().run(prog(['head', '-c', '10'], { stdin: [big] }).req);
  assert.equal(r.writeError, true);
  assert.equal(r.status, 0);
});

test('TIMEOUT: SIGTERM, "Timeout, terminating" with the command text, status -15 (case 194)', async () => {
  const { req, lines } = prog(sh('sleep 30'), { timeoutSeconds: 1, display: ' sleep 30' });
  const r = await new RealHost().run(req);
  assert.equal(r.status, -15);
  assert.equal(r.timedOut, true);
  assert.deepEqual(lines, ['procmail: Timeout, terminating " sleep 30"\n']);
});

test('TIMEOUT: a program that ignores SIGTERM is still waited for, its own status counts', async () => {
  const { req, lines } = prog(sh('trap "" TERM; sleep 2; exit 4'), { timeoutSeconds: 1, display: 'x' });
  const r = await new RealHost().run(req);
  assert.equal(r.status, 4);
  assert.equal(r.timedOut, true);
  assert.deepEqual(lines, ['procmail: Timeout, terminating "x"\n']);
});

test('without display, messages name argv[0]', async () => {
  const { req, lines } = prog(['/bin/sleep', '30'], { timeoutSeconds: 1 });
  await new RealHost().run(req);
  assert.deepEqual(lines, ['procmail: Timeout, terminating "/bin/sleep"\n']);
});

test('wait=false: resolves once the input is handed over; the program goes on without us', async () => {
  const s = scratch();
  try {
    // the program cannot finish before we create "go": resolving proves we did not wait
    const { req } = prog(sh('cat > got; while [ ! -f go ]; do sleep 0.02; done; echo finished > done'), {
      wait: false,
      stdin: [Buffer.from('the mail\n')],
    });
    const r = await new RealHost().run(req);
    assert.equal(r.status, 0);
    assert.ok(!fs.existsSync('done'));
    fs.writeFileSync('go', '');
    for (let i = 0; i < 500 && !fs.existsSync('done'); i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(fs.readFileSync('done', 'latin1'), 'finished\n');
    assert.equal(fs.readFileSync('got', 'latin1'), 'the mail\n');
  } finally {
    s.done();
  }
});

test('latin1 byte strings reach the program as the same bytes (valid UTF-8 in them included)', async () => {
  const word = Buffer.from('Gelöscht', 'utf8').toString('latin1'); // how the engine holds rc text
  const r = await new RealHost().run(prog(['printf', '%s', word], { captureStdout: true }).req);
  assert.deepEqual(r.stdout, Buffer.from('Gelöscht', 'utf8'));
});

test('/bin/sh cannot be found either: "Failed to execute", status 69', async () => {
  // an argument with a NUL byte can never be exec'd, not even through /bin/sh
  const { req, lines } = prog(['bad\0name']);
  const r = await new RealHost().run(req);
  assert.equal(r.status, 69);
  assert.deepEqual(lines, ['procmail: Failed to execute "bad\0name"\n']);
});

test('a program that exits without reading a small message: no write error (the pipe would have absorbed it)', async () => {
  const host = new RealHost();
  // procmail: `| exit 5` (exec fails, /bin/sh cannot open "exit") with the 494-byte message
  const r = await host.run(prog(['exit', '5'], { stdin: [Buffer.alloc(494, 'x')] }).req);
  assert.equal(r.status, 2);
  assert.equal(r.writeError, false);
  const big = await host.run(prog(['exit', '5'], { stdin: [Buffer.alloc(4 << 20, 'x')] }).req);
  assert.equal(big.writeError, true);
});
